package io.cahoots.agent.executor;

/** No node of the cluster has this id (HTTP 404). */
public class UnknownNodeException extends RuntimeException {

    public UnknownNodeException(String id) {
        super("no node " + id + " in the cluster");
    }
}
