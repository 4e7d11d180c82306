package io.cahoots.agent.scaling;

import io.cahoots.agent.scaling.shard.ShardDecision;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The Redis shard autoscaler as {@code GET /api/v1/scaling} shows it (its {@code redis} section).
 *
 * @param mode    {@code off}, {@code standby} (a follower of the fleet), {@code dry-run}, {@code advisory} (no node
 *                source) or {@code active}
 * @param nodeSource which node source is used: {@code spare-pool}, {@code statefulset <name>} or {@code none}
 * @param source  where new nodes come from, and how many are free (or the StatefulSet's replicas)
 * @param phase   {@code steady}, {@code stepping ...}, {@code observing ... until ...}
 */
public record ShardScalingStatus(String mode, String modeReason, String nodeSource, String source, OptionalInt masters, int minMasters,
                                 int maxMasters, String phase, List<TriggerStatus> triggers, List<RecordedDecision> decisions,
                                 Optional<Instant> evaluatedAt, Optional<String> error) {

    public ShardScalingStatus {
        triggers = List.copyOf(triggers);
        decisions = List.copyOf(decisions);
    }

    /** One trigger: its threshold, its reading (empty with the reason when missing) and its run. */
    public record TriggerStatus(String name, double threshold, Optional<Double> reading, Optional<String> missing,
                                String state) {
    }

    /** A decision and whether it was carried out. */
    public record RecordedDecision(ShardDecision decision, String mode, boolean applied, Optional<String> outcome) {
    }

    public static ShardScalingStatus off(String reason, String nodeSource, String source, int min, int max) {
        return new ShardScalingStatus("off", reason, nodeSource, source, OptionalInt.empty(), min, max, "off", List.of(), List.of(),
                Optional.empty(), Optional.empty());
    }
}
