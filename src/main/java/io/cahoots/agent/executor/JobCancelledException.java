package io.cahoots.agent.executor;

/** Thrown by a job's work at a safe point after a cancel was requested; the job ends CANCELLED. */
public class JobCancelledException extends RuntimeException {

    public JobCancelledException(String message) {
        super(message);
    }
}
