package io.cahoots.agent.planner;

/** The request cannot be planned as asked (unknown node, unhealthy master, all weights zero). */
public class PlanningException extends RuntimeException {

    public PlanningException(String message) {
        super(message);
    }
}
