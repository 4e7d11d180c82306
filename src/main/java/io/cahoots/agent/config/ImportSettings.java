package io.cahoots.agent.config;

import java.time.Duration;

/** The validated import settings; {@link #from} throws {@link InvalidSettingException} for the first bad value. */
public record ImportSettings(Duration grace, int batchKeys, Duration ttlTolerance, int autoCutoverLagKeys)
        implements SettingsGroup {

    public static ImportSettings from(ImportConfig c) {
        return new ImportSettings(
                Settings.duration("AGENT_IMPORT_GRACE", c.grace(), Duration.ZERO, Duration.ofHours(24)),
                Settings.integer("AGENT_IMPORT_BATCH_KEYS", c.batchKeys(), 1, 100_000),
                Settings.duration("AGENT_IMPORT_TTL_TOLERANCE", c.ttlTolerance(), Duration.ZERO, Duration.ofMinutes(10)),
                Settings.integer("AGENT_IMPORT_AUTO_CUTOVER_LAG_KEYS", c.autoCutoverLagKeys(), 0, 10_000_000));
    }
}
