package io.cahoots.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cahoots.agent.executor.Job;
import io.cahoots.agent.executor.JobProgress;
import io.cahoots.agent.executor.JobRecord;

import java.time.Instant;

/**
 * The JSON of a job (CONTRACT.md): id, type, state, progress, error and timestamps, and {@code agent}: the sidecar of
 * the fleet that runs it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String id, String type, String state, String description, Progress progress, String error,
                      Instant createdAt, Instant startedAt, Instant finishedAt, boolean cancelRequested, Object result,
                      String agent) {

    /** {@code batchKeys} .. {@code currentKeysPerSecond}: the migration's pace (issue 16), 0 outside a migration. */
    public record Progress(int slotsDone, int slotsTotal, long keysMoved, long keysTotalEstimate, double keysPerSecond,
                           long etaSeconds, int batchKeys, double observedLatencyMillis, double latencyBudgetMillis,
                           double currentKeysPerSecond) {
    }

    public static JobView of(Job j) {
        return of(JobRecord.of(j, j.agent().orElse(null)));
    }

    public static JobView of(JobRecord j) {
        JobProgress p = j.progress();
        return new JobView(j.id(), j.type(), j.state().name(), j.description(),
                new Progress(p.slotsDone(), p.slotsTotal(), p.keysMoved(), p.keysTotalEstimate(),
                        Math.round(p.keysPerSecond() * 10) / 10.0, p.etaSeconds(), p.batchKeys(),
                        Math.round(p.observedLatencyMillis() * 1000) / 1000.0, Math.round(p.latencyBudgetMillis() * 1000) / 1000.0,
                        Math.round(p.currentKeysPerSecond() * 10) / 10.0),
                j.error(), j.createdAt(), j.startedAt(), j.finishedAt(), j.cancelRequested(), j.result(), j.agent());
    }
}
