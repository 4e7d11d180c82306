package io.cahoots.agent.config;

import java.time.Duration;
import java.util.Optional;

/**
 * The validated observation settings.
 *
 * @param metricsInterval how often each node's {@code INFO} is read; empty: on every poll (the default), so
 *                        metrics are as fresh as the topology. Longer spares large clusters one INFO per node per poll.
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
