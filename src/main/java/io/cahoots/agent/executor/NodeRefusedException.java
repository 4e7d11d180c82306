package io.cahoots.agent.executor;

/** A node cannot be added or removed as asked (HTTP 409 with the reason). */
public class NodeRefusedException extends RuntimeException {

    public NodeRefusedException(String message) {
        super(message);
    }
}
