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

    public RedisScalingSettings {
        spareNodes = List.copyOf(spareNodes);
    }

    public static RedisScalingSettings from(RedisScalingConfig c) {
        SettingErrors.checked(RedisScalingConfig.class, c);
        if (c.maxMasters() < c.minMasters()) {
            throw new InvalidSettingException("AGENT_REDIS_SCALING_MAX_MASTERS", "'" + c.maxMasters() + "'",
                    "at least AGENT_REDIS_SCALING_MIN_MASTERS (" + c.minMasters() + ")");
        }
        if (c.scaleInAfter().compareTo(c.sustain()) < 0) {
            // Shrinking faster than growing is how an autoscaler starts to oscillate.
            Syntax.Span span = new Syntax.Span();
            throw new InvalidSettingException("AGENT_REDIS_SCALING_SCALE_IN_AFTER", "'" + span.shown(c.scaleInAfter()) + "'",
                    "at least AGENT_REDIS_SCALING_SUSTAIN (" + span.shown(c.sustain()) + ")");
        }
        return new RedisScalingSettings(c.enabled(), c.minMasters(), c.maxMasters(), c.memoryPercent(), c.opsPerSecond(),
                c.latencyMs(), c.sustain(), c.observe(), c.scaleInAfter(), c.dryRun(),
                c.spareNodes().orElse(List.of()), c.interval());
    }
}
