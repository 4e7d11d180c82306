package io.cahoots.agent.executor;

/**
 * A moment's progress of a job.
 *
 * @param keysPerSecond         keys moved per second since the job started running
 * @param etaSeconds            estimated seconds left, -1 when there is no basis for an estimate yet
 * @param batchKeys             keys per {@code MIGRATE} round the moves in flight are allowed now (summed over them);
 *                              0 when none moves
 * @param observedLatencyMillis the latency the last round of a move in flight added for clients of its source or
 *                              target (the worst of them): the round's duration less two idle round trips, or a longer
 *                              wait of the engine's PING probe
 * @param latencyBudgetMillis   {@code AGENT_MIGRATION_MAX_LATENCY}, 0 when there is none (or no move in flight)
 * @param currentKeysPerSecond  the moves' rate over their last rounds, where {@code keysPerSecond} is the whole job's
 */
public record JobProgress(int slotsDone, int slotsTotal, long keysMoved, long keysTotalEstimate, double keysPerSecond,
                          long etaSeconds, int batchKeys, double observedLatencyMillis, double latencyBudgetMillis,
                          double currentKeysPerSecond) {
}
