package io.cahoots.agent.scaling.shard;

import java.time.Duration;

/**
 * The shard autoscaler's settings, as the pure policy needs them.
 *
 * @param scaleInAfter how long every reading must stay below half its threshold before one shard is drained
 */
public record ShardLimits(int minMasters, int maxMasters, double memoryPercent, double opsPerSecond, double latencyMs,
                          Duration sustain, Duration observe, Duration scaleInAfter) {

    public double threshold(ShardTrigger t) {
        return switch (t) {
            case MEMORY -> memoryPercent;
            case OPS -> opsPerSecond;
            case LATENCY -> latencyMs;
        };
    }

    public int clamp(int masters) {
        return Math.max(minMasters, Math.min(maxMasters, masters));
    }
}
