package io.cahoots.agent.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The migration limits from text through the real mapping, and their one-line errors. */
class MigrationSettingsTest {

    private static MigrationConfig config(String maxLatency, String batchBytes) {
        return ConfigMaps.mapping(MigrationConfig.class,
                Map.of("agent.migration.max-latency", maxLatency, "agent.migration.batch-bytes", batchBytes));
    }

    @Test
    void defaultsAndUnits() {
        assertThat(MigrationSettings.from(config("off", "8mb"))).isEqualTo(new MigrationSettings(Duration.ZERO, 8L << 20));
        assertThat(MigrationSettings.from(config("0", "0"))).isEqualTo(new MigrationSettings(Duration.ZERO, 0));
        assertThat(MigrationSettings.from(config("500us", "8mb")).maxLatency()).isEqualTo(Duration.ofNanos(500_000));
        assertThat(MigrationSettings.from(config("2ms", "512kb"))).isEqualTo(new MigrationSettings(Duration.ofMillis(2), 512L << 10));
        assertThat(MigrationSettings.from(config("1s", "1gb")).batchBytes()).isEqualTo(1L << 30);
        assertThat(MigrationSettings.from(config("5ms", "1000")).batchBytes()).isEqualTo(1000);
    }

    @Test
    void badValuesNameTheVariable() {
        assertThatThrownBy(() -> MigrationSettings.from(config("fast", "8mb"))).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("AGENT_MIGRATION_MAX_LATENCY").hasMessageContaining("'fast'");
        assertThatThrownBy(() -> MigrationSettings.from(config("11s", "8mb"))).hasMessageContaining("AGENT_MIGRATION_MAX_LATENCY");
        assertThatThrownBy(() -> MigrationSettings.from(config("off", "8 megs"))).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("AGENT_MIGRATION_BATCH_BYTES");
        assertThatThrownBy(() -> MigrationSettings.from(config("off", "-1"))).hasMessageContaining("AGENT_MIGRATION_BATCH_BYTES");
    }
}
