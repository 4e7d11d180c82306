package io.cahoots.agent.executor;

/** A plan made from one topology version was about to run on another. */
public class StalePlanException extends RuntimeException {

    public StalePlanException(long planned, long current) {
        super("the topology changed since the plan was made (version " + planned + ", now " + current
                + "): preview the rebalance again");
    }
}
