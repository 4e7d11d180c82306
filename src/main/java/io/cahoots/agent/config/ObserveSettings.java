package io.cahoots.agent.config;

import java.time.Duration;
import java.util.Optional;

/**
 * The validated observation settings.
 *
 * @param metricsInterval how often each node's {@code INFO} is read; empty (the default): on every poll up to 200
 *                        nodes, so metrics are as fresh as the topology, and beyond that about 200 nodes per poll in
 *                        turn (the observer's {@code METRICS_READS_PER_POLL}). Longer spares large clusters more.
 */
public record ObserveSettings(Optional<Duration> metricsInterval) implements SettingsGroup {

    public static ObserveSettings from(ObserveConfig c) {
        return new ObserveSettings(SettingErrors.checked(ObserveConfig.class, c).interval());
    }

    /** Zero means every poll, as the observer takes it. */
    public Duration metricsIntervalOrEveryPoll() {
        return metricsInterval.orElse(Duration.ZERO);
    }
}
