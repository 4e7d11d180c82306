package io.cahoots.agent.executor;

/**
 * A moment's progress of a job.
 *
 * @param keysPerSecond keys moved per second since the job started running
 * @param etaSeconds    estimated seconds left, -1 when there is no basis for an estimate yet
 */
public record JobProgress(int slotsDone, int slotsTotal, long keysMoved, long keysTotalEstimate, double keysPerSecond,
                          long etaSeconds) {
}
