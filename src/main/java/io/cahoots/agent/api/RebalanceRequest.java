package io.cahoots.agent.api;

import java.util.Map;

/**
 * Body of {@code POST /api/v1/rebalance}; every field is optional.
 *
 * @param dryRun          default true: answer the plan, move nothing
 * @param snapshotVersion the {@code snapshotVersion} of a previewed plan; refused (409) when the topology moved on
 * @param replace         on BUSYKEY with different values, overwrite the target's copy instead of failing
 * @param balance         {@code "slots"} (default), {@code "keys"} or {@code "memory"}: what is made equal per weighted master
 */
public record RebalanceRequest(Boolean dryRun, Double thresholdPercent, Map<String, Double> weights,
                               Boolean useEmptyMasters, Boolean replace, Long snapshotVersion, String balance) {
}
