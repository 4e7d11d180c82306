package io.cahoots.agent.executor;

/** No job has this id, here or in the fleet's job store (HTTP 404). */
public class UnknownJobException extends RuntimeException {

    public UnknownJobException(String id) {
        super("no job " + id);
    }
}
