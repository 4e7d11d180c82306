package io.cahoots.agent.executor;

import java.time.Instant;

/**
 * A job as every sidecar of the fleet sees it: what the one running it last wrote to the {@link JobStore}.
 *
 * @param agent  the fleet member that runs (or ran) it
 * @param result what the job produced (the plan it executes), as plain JSON values once read back
 */
public record JobRecord(String id, String type, JobState state, String description, JobProgress progress, String error,
                        Instant createdAt, Instant startedAt, Instant finishedAt, boolean cancelRequested,
                        Object result, String agent) {

    public static JobRecord of(Job j, String agent) {
        return new JobRecord(j.id(), j.type(), j.state(), j.description(), j.progress(), j.error().orElse(null),
                j.createdAt(), j.startedAt().orElse(null), j.finishedAt().orElse(null), j.cancelRequested(),
                j.result().orElse(null), agent);
    }

    public JobRecord withCancelRequested() {
        return new JobRecord(id, type, state, description, progress, error, createdAt, startedAt, finishedAt, true,
                result, agent);
    }
}
