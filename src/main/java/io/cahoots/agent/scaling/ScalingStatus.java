package io.cahoots.agent.scaling;

import io.cahoots.agent.config.ScalingSettings;
import io.cahoots.agent.scaling.decision.Decision;
import io.cahoots.agent.scaling.decision.Trigger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What the supervisor knows after its last evaluation; immutable, replaced whole after every evaluation, read by
 * {@code GET /api/v1/scaling}.
 *
 * @param modeReason why the mode is what it is, in words (always set)
 * @param phase      {@code steady}, {@code observing 2 -> 4 until ...}, {@code paused}
 * @param decisions  newest first
 * @param error      why the last evaluation could not complete (the Deployment unreadable, say)
 */
public record ScalingStatus(
        Mode mode,
        String modeReason,
        String identity,
        Optional<String> leaseHolder,
        String namespace,
        String deployment,
        OptionalInt currentReplicas,
        OptionalInt desiredReplicas,
        int minReplicas,
        int maxReplicas,
        int step,
        String phase,
        List<TriggerStatus> triggers,
        List<String> redisEvidence,
        List<RecordedDecision> decisions,
        Optional<Instant> evaluatedAt,
        Optional<String> error) {

    public ScalingStatus {
        triggers = List.copyOf(triggers);
        redisEvidence = List.copyOf(redisEvidence);
        decisions = List.copyOf(decisions);
    }

    public enum Mode {
        /** Decides and patches the Deployment. */
        ACTIVE("active"),
        /** Decides and reports; AGENT_SCALING_DRY_RUN=true. */
        DRY_RUN("dry-run"),
        /** Decides and reports because acting would fight an HPA or a person. */
        ADVISORY("advisory"),
        /** Another agent replica holds the lease and acts. */
        STANDBY("standby"),
        /** AGENT_SCALING_ENABLED=false. */
        DISABLED("disabled");

        private final String wire;

        Mode(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /**
     * @param state {@code ok}, {@code breaching since 10:02:05} (with when it fires), {@code no reading: ...}
     */
    public record TriggerStatus(Trigger trigger, double threshold, OptionalDouble reading, Optional<String> missing,
                                Optional<Instant> breachingSince, String state) {
    }

    /** A decision as carried out (or not) in the mode of its time. */
    public record RecordedDecision(Decision decision, Mode mode, boolean applied, Optional<String> failure) {
    }

    public static ScalingStatus disabled(ScalingSettings s) {
        return off(s, "AGENT_SCALING_ENABLED is false: set it to true (and AGENT_SCALING_PROMETHEUS_URL) to supervise "
                + "the API replicas", Optional.empty());
    }

    /** Enabled, but the supervisor could not start (no usable Kubernetes client configuration, say). */
    public static ScalingStatus failed(ScalingSettings s, String error) {
        return off(s, "the supervisor could not start; see error", Optional.of(error));
    }

    private static ScalingStatus off(ScalingSettings s, String reason, Optional<String> error) {
        return new ScalingStatus(Mode.DISABLED, reason, "", Optional.empty(), s.namespace().orElse(""), s.deployment(),
                OptionalInt.empty(), OptionalInt.empty(), s.minReplicas(), s.maxReplicas(), s.step(), "disabled",
                List.of(), List.of(), List.of(), Optional.empty(), error);
    }
}
