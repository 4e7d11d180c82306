package io.cahoots.agent.executor;

/** A mutating job was asked for while another runs, here or on another agent holding the lease. */
public class JobConflictException extends RuntimeException {

    private final String runningJobId;

    public JobConflictException(String message, String runningJobId) {
        super(message);
        this.runningJobId = runningJobId;
    }

    public String runningJobId() {
        return runningJobId;
    }
}
