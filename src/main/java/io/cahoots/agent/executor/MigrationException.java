package io.cahoots.agent.executor;

/** A move failed for good; the message names the slot(s), both nodes and the Redis error. */
public class MigrationException extends RuntimeException {

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }

    public MigrationException(String message) {
        super(message);
    }
}
