package io.cahoots.agent.api;

import io.cahoots.agent.scaling.ScalingStatus;

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
        String error) {

    /** @param reading null when missing; {@code missing} then says why */
    public record TriggerView(String name, Double reading, String unit, double threshold, String state,
                              Instant breachingSince, String missing) {
    }

    /** @param applied true when the agent patched the Deployment; false in dry-run/advisory or on failure */
    public record DecisionView(Instant at, String kind, int from, int to, String reason, String mode, boolean applied,
                               String failure) {
    }

    static ScalingView of(ScalingStatus s) {
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
                s.evaluatedAt().orElse(null), s.error().orElse(null));
    }
}
