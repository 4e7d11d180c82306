package io.cahoots.agent.config;

import java.time.Duration;

/** The validated import settings; {@link #from} throws {@link InvalidSettingException} for the first bad value. */
public record ImportSettings(Duration grace, int batchKeys, Duration ttlTolerance, int autoCutoverLagKeys)
        implements SettingsGroup {

    public static ImportSettings from(ImportConfig c) {
        SettingErrors.checked(ImportConfig.class, c);
        return new ImportSettings(c.grace(), c.batchKeys(), c.ttlTolerance(), c.autoCutoverLagKeys());
    }
}
