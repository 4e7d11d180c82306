package io.cahoots.agent.scaling;

/**
 * A failure talking to the Kubernetes API, translated at the adapter edge so that nothing above it catches client
 * types. The message is meant for operators (it is shown in {@code GET /scaling}).
 */
public class ScalingException extends RuntimeException {

    private final boolean retriable;

    public ScalingException(String message, boolean retriable) {
        super(message);
        this.retriable = retriable;
    }

    public ScalingException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    /** True when the same call may succeed later without anyone changing anything (a timeout, a conflict). */
    public boolean retriable() {
        return retriable;
    }
}
