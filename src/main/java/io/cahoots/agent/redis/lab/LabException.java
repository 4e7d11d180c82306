package io.cahoots.agent.redis.lab;

/** A lab could not be started or operated; the message names the reason and, when known, the log directory. */
public class LabException extends RuntimeException {

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The node could not bind its port(s) or exited at once; the lab retries with other ports instead of failing. */
    static final class PortInUse extends LabException {
        PortInUse(String message) {
            super(message);
        }
    }
}
