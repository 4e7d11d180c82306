package io.cahoots.agent.planner;

import java.util.Map;

/**
 * What a rebalance should aim for.
 *
 * @param weights          per master id; masters not named weigh 1.0; weight 0 drains a master
 * @param thresholdPercent a master whose slot count is within this percentage of its target is balanced
 * @param useEmptyMasters  let masters without slots take a share (otherwise they keep none)
 * @param balance          what is made equal per weighted master: slots, keys or memory
 */
public record RebalanceOptions(Map<String, Double> weights, double thresholdPercent, boolean useEmptyMasters,
                               Balance balance) {

    public static final double DEFAULT_THRESHOLD_PERCENT = 2.0;

    public RebalanceOptions {
        weights = Map.copyOf(weights);
        java.util.Objects.requireNonNull(balance, "balance");
        if (thresholdPercent < 0 || thresholdPercent > 100 || Double.isNaN(thresholdPercent)) {
            throw new IllegalArgumentException("thresholdPercent must be between 0 and 100, got " + thresholdPercent);
        }
        weights.forEach((id, w) -> {
            if (w == null || w < 0 || w.isNaN() || w.isInfinite()) {
                throw new IllegalArgumentException("weight of " + id + " must be a number >= 0, got " + w);
            }
        });
    }

    /** A slot balance, as before balances were selectable. */
    public RebalanceOptions(Map<String, Double> weights, double thresholdPercent, boolean useEmptyMasters) {
        this(weights, thresholdPercent, useEmptyMasters, Balance.SLOTS);
    }

    public RebalanceOptions withBalance(Balance b) {
        return new RebalanceOptions(weights, thresholdPercent, useEmptyMasters, b);
    }

    public static RebalanceOptions defaults() {
        return new RebalanceOptions(Map.of(), DEFAULT_THRESHOLD_PERCENT, true);
    }

    /** Drain mode: every listed master goes to weight 0 and gives all its slots to the others. */
    public static RebalanceOptions drain(java.util.Collection<String> masterIds) {
        Map<String, Double> w = new java.util.HashMap<>();
        masterIds.forEach(id -> w.put(id, 0.0));
        return new RebalanceOptions(w, 0, true);
    }

    public double weightOf(String id) {
        return weights.getOrDefault(id, 1.0);
    }
}
