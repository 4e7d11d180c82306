package io.cahoots.agent.executor;

/**
 * The request asks for something that cannot be done as asked: a missing or malformed field, a node of the wrong
 * kind (HTTP 400, problem {@code invalid-request}). Thrown by services on their callers' input, so that an
 * {@link IllegalArgumentException} from a bug deep inside is never mistaken for the client's fault.
 */
public class BadRequestException extends RuntimeException {

    public BadRequestException(String message) {
        super(message);
    }
}
