package io.cahoots.agent.config;

import io.cahoots.agent.cluster.HostPort;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shard autoscaler's settings from maps through the real mapping: defaults, the contract's names, one-line errors. */
class RedisScalingSettingsTest {

    @Test
    void defaultsKeepItOffAndTheContractsVariablesMap() {
        RedisScalingSettings d = RedisScalingSettings.from(ConfigMaps.mapping(RedisScalingConfig.class, Map.of()));
        assertThat(d.enabled()).isFalse();
        assertThat(d.minMasters()).isEqualTo(3);
        assertThat(d.maxMasters()).isEqualTo(10);
        assertThat(d.scaleInAfter()).isEqualTo(Duration.ofHours(1));
        assertThat(d.spareNodes()).isEmpty();

        RedisScalingSettings s = RedisScalingSettings.from(new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of(
                        "AGENT_REDIS_SCALING_ENABLED", "true",
                        "AGENT_REDIS_SCALING_MIN_MASTERS", "3",
                        "AGENT_REDIS_SCALING_MAX_MASTERS", "6",
                        "AGENT_REDIS_SCALING_MEMORY_PERCENT", "70",
                        "AGENT_REDIS_SCALING_OPS_PER_SECOND", "20000",
                        "AGENT_REDIS_SCALING_LATENCY_MS", "5",
                        "AGENT_REDIS_SCALING_SUSTAIN", "30s",
                        "AGENT_REDIS_SCALING_SCALE_IN_AFTER", "2h",
                        "AGENT_REDIS_SCALING_DRY_RUN", "true",
                        "AGENT_REDIS_SCALING_SPARE_NODES", "10.0.0.7:6379,10.0.0.8:6379"), 300))
                .withMapping(RedisScalingConfig.class).build().getConfigMapping(RedisScalingConfig.class));
        assertThat(s.enabled()).isTrue();
        assertThat(s.maxMasters()).isEqualTo(6);
        assertThat(s.memoryPercent()).isEqualTo(70);
        assertThat(s.opsPerSecond()).isEqualTo(20000);
        assertThat(s.latencyMs()).isEqualTo(5);
        assertThat(s.sustain()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.scaleInAfter()).isEqualTo(Duration.ofHours(2));
        assertThat(s.dryRun()).isTrue();
        assertThat(s.spareNodes()).containsExactly(new HostPort("10.0.0.7", 6379), new HostPort("10.0.0.8", 6379));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "max-masters | 2 | Invalid setting AGENT_REDIS_SCALING_MAX_MASTERS='2': expected at least AGENT_REDIS_SCALING_MIN_MASTERS (3)",
            "memory-percent | 120 | Invalid setting AGENT_REDIS_SCALING_MEMORY_PERCENT='120': expected a percentage from 0 to 100",
            "ops-per-second | -1 | Invalid setting AGENT_REDIS_SCALING_OPS_PER_SECOND='-1': expected a positive number",
            "scale-in-after | 1m | Invalid setting AGENT_REDIS_SCALING_SCALE_IN_AFTER='1m': expected at least AGENT_REDIS_SCALING_SUSTAIN (5m)",
            "spare-nodes | nohost | AGENT_REDIS_SCALING_SPARE_NODES",
            "enabled | yes | Invalid setting AGENT_REDIS_SCALING_ENABLED='yes': expected true or false"})
    void aBadValueIsOneLineNamingTheVariable(String property, String value, String message) {
        assertThatThrownBy(() -> RedisScalingSettings.from(ConfigMaps.mapping(RedisScalingConfig.class,
                Map.of("agent.redis-scaling." + property, value))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith(message.startsWith("Invalid") ? message : "Invalid setting " + message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
