package io.cahoots.agent.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Observation settings from maps through the real mapping. */
class ObserveSettingsTest {

    static ObserveSettings settings(Map<String, String> properties) {
        return ObserveSettings.from(ConfigMaps.mapping(ObserveConfig.class, properties));
    }

    @Test
    void metricsAreReadOnEveryPollUnlessAnIntervalIsSet() {
        assertThat(settings(Map.of()).metricsIntervalOrEveryPoll()).isZero();
        assertThat(settings(Map.of("agent.metrics.interval", "5s")).metricsIntervalOrEveryPoll()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aBadIntervalNamesTheVariable() {
        assertThatThrownBy(() -> settings(Map.of("agent.metrics.interval", "soon")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("AGENT_METRICS_INTERVAL='soon'");
        assertThatThrownBy(() -> settings(Map.of("agent.metrics.interval", "10ms")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("AGENT_METRICS_INTERVAL");
    }
}
