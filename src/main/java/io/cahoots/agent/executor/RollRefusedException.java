package io.cahoots.agent.executor;

/** A roll cannot start: nothing restarts nodes here, or the cluster is not in a state to roll (409). */
public class RollRefusedException extends RuntimeException {

    public RollRefusedException(String message) {
        super(message);
    }
}
