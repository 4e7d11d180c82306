package io.cahoots.agent.executor;

/** A node could not be restarted, or did not come back in time: the roll stops there. */
public class NodeRestartException extends RuntimeException {

    public NodeRestartException(String message) {
        super(message);
    }

    public NodeRestartException(String message, Throwable cause) {
        super(message, cause);
    }
}
