package io.cahoots.agent.executor;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a job. Transitions:
 *
 * <pre>
 *   from \ to     PENDING RUNNING SUCCEEDED FAILED CANCELLED INTERRUPTED
 *   PENDING          -       x        -        x       x          -
 *   RUNNING          -       -        x        x       x          x
 *   SUCCEEDED, FAILED, CANCELLED, INTERRUPTED: final
 * </pre>
 * INTERRUPTED is what a job becomes when the agent running it died and another run found it unfinished.
 */
public enum JobState {
    PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED;

    public boolean isFinal() {
        return this != PENDING && this != RUNNING;
    }

    public Set<JobState> next() {
        return switch (this) {
            case PENDING -> EnumSet.of(RUNNING, FAILED, CANCELLED);
            case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, CANCELLED, INTERRUPTED);
            default -> EnumSet.noneOf(JobState.class);
        };
    }

    public boolean canMoveTo(JobState to) {
        return next().contains(to);
    }
}
