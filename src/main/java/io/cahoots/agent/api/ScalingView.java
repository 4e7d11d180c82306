package io.cahoots.agent.api;

import io.cahoots.agent.scaling.ScalingStatus;
import io.cahoots.agent.scaling.ShardScalingStatus;

import java.time.Instant;
import java.util.List;

/**
 * The body of {@code GET /api/v1/scaling}. Absent values are {@code null} rather than left out, so a client can
 * tell "no reading" from an older agent that did not report the field.
 */
public record ScalingView(
        String mode,
        String modeReason,
        String identity,
        String leaseHolder,
        String namespace,
        String deployment,
        Integer currentReplicas,
        Integer desiredReplicas,
        int minReplicas,
        int maxReplicas,
        int step,
        String phase,
        List<TriggerView> triggers,
        List<String> redisEvidence,
        List<DecisionView> decisions,
        Instant evaluatedAt,
        String error,
        RedisView redis) {

    /**
     * The Redis shard autoscaler beside the API supervisor.
     *
     * @param nodeSource which node source is used: {@code spare-pool}, {@code statefulset <name>} (on Kubernetes) or
     *                   {@code none}
     * @param source     where new nodes come from, in words (the spare-node pool and how many are free, the
     *                   StatefulSet and its replicas, or none)
     */
    public record RedisView(String mode, String modeReason, String nodeSource, String source, Integer masters, int minMasters, int maxMasters,
                            String phase, List<RedisTriggerView> triggers, List<RedisDecisionView> decisions,
                            Instant evaluatedAt, String error) {
    }

    /** @param reading null when missing; {@code missing} then says why. Memory in percent, ops per second per master, ms. */
    public record RedisTriggerView(String name, Double reading, double threshold, String state, String missing) {
    }

    /** @param drain the master a scale-in drains; {@code outcome} says why a step failed */
    public record RedisDecisionView(Instant at, String kind, int from, int to, String drain, String reason, String mode,
                                    boolean applied, String outcome) {
    }

    /** @param reading null when missing; {@code missing} then says why */
    public record TriggerView(String name, Double reading, String unit, double threshold, String state,
                              Instant breachingSince, String missing) {
    }

    /** @param applied true when the agent patched the Deployment; false in dry-run/advisory or on failure */
    public record DecisionView(Instant at, String kind, int from, int to, String reason, String mode, boolean applied,
                               String failure) {
    }

    static ScalingView of(ScalingStatus s, ShardScalingStatus shards) {
        return new ScalingView(s.mode().wire(), s.modeReason(), s.identity().isEmpty() ? null : s.identity(),
                s.leaseHolder().orElse(null), s.namespace().isEmpty() ? null : s.namespace(), s.deployment(),
                s.currentReplicas().isPresent() ? s.currentReplicas().getAsInt() : null,
                s.desiredReplicas().isPresent() ? s.desiredReplicas().getAsInt() : null,
                s.minReplicas(), s.maxReplicas(), s.step(), s.phase(),
                s.triggers().stream().map(t -> new TriggerView(t.trigger().label(),
                        t.reading().isPresent() ? t.reading().getAsDouble() : null, t.trigger().unit(), t.threshold(),
                        t.state(), t.breachingSince().orElse(null), t.missing().orElse(null))).toList(),
                s.redisEvidence(),
                s.decisions().stream().map(r -> new DecisionView(r.decision().at(), r.decision().kind().wire(),
                        r.decision().from(), r.decision().to(), r.decision().reason(), r.mode().wire(), r.applied(),
                        r.failure().orElse(null))).toList(),
                s.evaluatedAt().orElse(null), s.error().orElse(null), redis(shards));
    }

    static RedisView redis(ShardScalingStatus r) {
        return new RedisView(r.mode(), r.modeReason(), r.nodeSource(), r.source(), r.masters().isPresent() ? r.masters().getAsInt() : null,
                r.minMasters(), r.maxMasters(), r.phase(),
                r.triggers().stream().map(t -> new RedisTriggerView(t.name(), t.reading().orElse(null), t.threshold(), t.state(),
                        t.missing().orElse(null))).toList(),
                r.decisions().stream().map(d -> new RedisDecisionView(d.decision().at(), d.decision().kind().wire(),
                        d.decision().from(), d.decision().to(), d.decision().drain().orElse(null), d.decision().reason(), d.mode(),
                        d.applied(), d.outcome().orElse(null))).toList(),
                r.evaluatedAt().orElse(null), r.error().orElse(null));
    }
}
