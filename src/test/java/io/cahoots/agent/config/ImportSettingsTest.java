package io.cahoots.agent.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Import settings from maps through the real mapping. */
class ImportSettingsTest {

    static ImportSettings settings(Map<String, String> properties) {
        return ImportSettings.from(ConfigMaps.mapping(ImportConfig.class, properties));
    }

    @Test
    void defaults() {
        assertThat(settings(Map.of())).isEqualTo(new ImportSettings(Duration.ofSeconds(30), 1000, Duration.ofSeconds(1), 100));
    }

    @Test
    void valuesAsTheEnvironmentGivesThem() {
        ImportSettings s = settings(Map.of("agent.import.grace", "2m", "agent.import.batch-keys", "500",
                "agent.import.ttl-tolerance", "250ms", "agent.import.auto-cutover-lag-keys", "0"));
        assertThat(s).isEqualTo(new ImportSettings(Duration.ofMinutes(2), 500, Duration.ofMillis(250), 0));
    }

    @Test
    void aBadValueNamesItsVariable() {
        assertThatThrownBy(() -> settings(Map.of("agent.import.grace", "soon")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("AGENT_IMPORT_GRACE");
        assertThatThrownBy(() -> settings(Map.of("agent.import.batch-keys", "0")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("AGENT_IMPORT_BATCH_KEYS");
    }
}
