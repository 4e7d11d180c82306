package io.cahoots.agent.scaling.decision;

import io.cahoots.agent.config.ScalingSettings;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the policy needs from the settings: bounds, step, thresholds and windows.
 *
 * @param scaleDownAfter how long every reading must stay below {@link ScalingPolicy#CALM_FRACTION} of its threshold
 */
public record ScalingLimits(int min, int max, int step, Map<Trigger, Double> thresholds, Duration sustain,
                           Duration observe, Duration scaleDownAfter) {

    public ScalingLimits {
        if (min < 1 || max < min || step < 1) {
            throw new IllegalArgumentException("bounds " + min + ".." + max + " step " + step);
        }
        if (!thresholds.keySet().containsAll(java.util.EnumSet.allOf(Trigger.class))) {
            throw new IllegalArgumentException("a threshold per trigger is needed: " + thresholds);
        }
        thresholds = Map.copyOf(new EnumMap<>(thresholds));
    }

    public static ScalingLimits from(ScalingSettings s) {
        return new ScalingLimits(s.minReplicas(), s.maxReplicas(), s.step(),
                Map.of(Trigger.CPU, s.cpuPercent(), Trigger.MEMORY, s.memoryPercent(), Trigger.QUEUE, s.queueLength(),
                        Trigger.P95, s.p95Ms()),
                s.sustain(), s.observe(), s.scaleDownAfter());
    }

    public double threshold(Trigger t) {
        return thresholds.get(t);
    }

    public int clamp(int replicas) {
        return Math.max(min, Math.min(max, replicas));
    }
}
