package io.cahoots.agent.config;

import java.time.Duration;

/**
 * The validated migration limits; {@link #from} throws {@link InvalidSettingException} for the first bad value.
 *
 * @param maxLatency {@link Duration#ZERO} when there is no budget
 * @param batchBytes 0 when batches are bounded by keys only
 */
public record MigrationSettings(Duration maxLatency, long batchBytes) implements SettingsGroup {

    public static MigrationSettings from(MigrationConfig c) {
        SettingErrors.checked(MigrationConfig.class, c);
        return new MigrationSettings(c.maxLatency(), c.batchBytes());
    }
}
