package io.cahoots.agent.config;

import io.cahoots.agent.cluster.HostPort;

import java.time.Duration;
import java.util.List;

/**
 * The Redis shard autoscaler's validated settings; {@link #from} throws {@link InvalidSettingException} (one line
 * naming the variable) for the first bad value. Checked even when the autoscaler is off, so a typo is found the day
 * it is written.
 *
 * @param spareNodes the spare-node pool (off Kubernetes); required when enabled and not in dry run
 */
public record RedisScalingSettings(boolean enabled, int minMasters, int maxMasters, double memoryPercent, double opsPerSecond,
                                   double latencyMs, Duration sustain, Duration observe, Duration scaleInAfter,
                                   boolean dryRun, List<HostPort> spareNodes, Duration interval) implements SettingsGroup {

    static final int MAX_MASTERS_LIMIT = 1000;

    public RedisScalingSettings {
        spareNodes = List.copyOf(spareNodes);
    }

    public static RedisScalingSettings from(RedisScalingConfig c) {
        boolean enabled = Settings.bool("AGENT_REDIS_SCALING_ENABLED", c.enabled());
        int min = Settings.integer("AGENT_REDIS_SCALING_MIN_MASTERS", c.minMasters(), 1, MAX_MASTERS_LIMIT);
        int max = Settings.integer("AGENT_REDIS_SCALING_MAX_MASTERS", c.maxMasters(), 1, MAX_MASTERS_LIMIT);
        if (max < min) {
            throw new InvalidSettingException("AGENT_REDIS_SCALING_MAX_MASTERS", "'" + c.maxMasters() + "'",
                    "at least AGENT_REDIS_SCALING_MIN_MASTERS (" + min + ")");
        }
        double memory = Settings.percent("AGENT_REDIS_SCALING_MEMORY_PERCENT", c.memoryPercent());
        double ops = positive("AGENT_REDIS_SCALING_OPS_PER_SECOND", c.opsPerSecond());
        double latency = positive("AGENT_REDIS_SCALING_LATENCY_MS", c.latencyMs());
        Duration sustain = Settings.duration("AGENT_REDIS_SCALING_SUSTAIN", c.sustain(), Duration.ofSeconds(1), Duration.ofHours(24));
        Duration observe = Settings.duration("AGENT_REDIS_SCALING_OBSERVE", c.observe(), Duration.ofSeconds(1), Duration.ofHours(24));
        Duration scaleInAfter = Settings.duration("AGENT_REDIS_SCALING_SCALE_IN_AFTER", c.scaleInAfter(), Duration.ofSeconds(1),
                Duration.ofDays(7));
        if (scaleInAfter.compareTo(sustain) < 0) {
            // Shrinking faster than growing is how an autoscaler starts to oscillate.
            throw new InvalidSettingException("AGENT_REDIS_SCALING_SCALE_IN_AFTER", "'" + c.scaleInAfter() + "'",
                    "at least AGENT_REDIS_SCALING_SUSTAIN (" + c.sustain().trim() + ")");
        }
        boolean dryRun = Settings.bool("AGENT_REDIS_SCALING_DRY_RUN", c.dryRun());
        List<HostPort> spares = Settings.addresses("AGENT_REDIS_SCALING_SPARE_NODES", c.spareNodes());
        Duration interval = Settings.duration("AGENT_REDIS_SCALING_INTERVAL", c.interval(), Duration.ofMillis(100), Duration.ofMinutes(10));
        return new RedisScalingSettings(enabled, min, max, memory, ops, latency, sustain, observe, scaleInAfter, dryRun, spares,
                interval);
    }

    private static double positive(String variable, String value) {
        try {
            double d = Double.parseDouble(value.trim());
            if (d > 0 && d < 1e12) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSettingException(variable, "'" + value + "'", "a positive number");
    }
}
