package io.cahoots.agent.scaling;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.RecentLatency;
import io.cahoots.agent.scaling.decision.RedisPressure;

import java.time.Duration;
import java.util.Optional;

/**
 * Turns the latest cluster snapshots into the {@link RedisPressure} the API policy weighs: each snapshot feeds a
 * {@link RecentLatency} window, so the evidence says how Redis did over the last {@code window}, not since each node
 * started. The window is one poll interval by default: the difference of two consecutive readings (more when a poll
 * is late), so evidence ends within two intervals of the slowness that caused it.
 */
public final class RedisEvidence {

    private final RecentLatency recent;
    private final double latencyMs;
    private final double memoryPercent;

    public RedisEvidence(Duration window, double latencyMs, double memoryPercent) {
        this.recent = new RecentLatency(window);
        this.latencyMs = latencyMs;
        this.memoryPercent = memoryPercent;
    }

    public static Duration defaultWindow(Duration pollInterval) {
        return pollInterval;
    }

    public RedisPressure of(Optional<ClusterSnapshot> latest) {
        if (latest.isEmpty()) {
            return RedisPressure.NONE;
        }
        recent.record(latest.get());
        return RedisPressure.of(latest.get(), recent, latencyMs, memoryPercent);
    }
}
