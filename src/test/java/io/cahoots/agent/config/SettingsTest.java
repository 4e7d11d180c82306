package io.cahoots.agent.config;

import io.cahoots.agent.cluster.HostPort;
import io.smallrye.config.SmallRyeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings are built from maps through the real mapping, never from this process' environment. */
class SettingsTest {

    static Settings settings(Map<String, String> properties) {
        return Settings.from(ConfigMaps.mapping(AgentConfig.class, properties));
    }

    @Test
    void defaultsLeaveEveryFeatureOff() {
        Settings s = settings(Map.of());
        assertThat(s.clusterNodes()).isEmpty();
        assertThat(s.sentinelNodes()).isEmpty();
        assertThat(s.adminToken()).isEmpty();
        assertThat(s.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.redisTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.tls()).isFalse();
        assertThat(s.lab()).isFalse();
        assertThat(s.rebalanceThresholdPercent()).isEqualTo(2.0);
        assertThat(s.migrationBatchKeys()).isPositive();
        assertThat(s.migrationParallelism()).isPositive();
    }

    @Test
    void readsEverySetting() {
        Settings s = settings(Map.of(
                "agent.cluster-nodes", "10.0.0.1:6379, [::1]:7000,redis-0.redis:6379",
                "agent.sentinel-nodes", "10.0.0.9:26379",
                "agent.sentinel-masters", "mymaster,other",
                "agent.redis-username", "agent",
                "agent.redis-password", "pw",
                "agent.sentinel-password", "spw",
                "agent.redis-tls", "TRUE",
                "agent.admin-token", "0123456789abcdef0123",
                "agent.poll-interval", "500ms",
                "agent.redis-timeout", "PT2S"));
        assertThat(s.clusterNodes()).containsExactly(new HostPort("10.0.0.1", 6379), new HostPort("::1", 7000),
                new HostPort("redis-0.redis", 6379));
        assertThat(s.sentinelMasters()).containsExactly("mymaster", "other");
        assertThat(s.redisCredentials().username()).contains("agent");
        assertThat(s.sentinelCredentials().password()).contains("spw");
        assertThat(s.tls()).isTrue();
        assertThat(s.pollInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.redisTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.toString()).doesNotContain("0123456789abcdef0123").doesNotContain("pw,").contains("***");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "agent.cluster-nodes | 10.0.0.1        | AGENT_CLUSTER_NODES='10.0.0.1': expected comma-separated host:port",
            "agent.cluster-nodes | h:1,h:99999     | AGENT_CLUSTER_NODES='h:1,h:99999'",
            "agent.cluster-nodes | h:1,h:1         | duplicate address",
            "agent.sentinel-nodes | h:x            | AGENT_SENTINEL_NODES='h:x'",
            "agent.poll-interval | abc             | AGENT_POLL_INTERVAL='abc': expected a duration between 100ms and 1h",
            "agent.poll-interval | 10ms            | AGENT_POLL_INTERVAL='10ms'",
            "agent.poll-interval | -1s             | AGENT_POLL_INTERVAL='-1s'",
            "agent.redis-timeout | 5h              | AGENT_REDIS_TIMEOUT='5h'",
            "agent.redis-tls     | yes             | AGENT_REDIS_TLS='yes': expected true or false",
            "agent.lab           | ture            | AGENT_LAB='ture': expected true or false",
            "agent.admin-token   | short           | AGENT_ADMIN_TOKEN=<hidden, 5 characters>: expected at least 16 characters",
            "agent.admin-token   | 0123456789abcdef0,x | AGENT_ADMIN_TOKEN=<hidden, 19 characters>: expected at least 16 characters",
            "agent.admin-token   | 0123456789abcdef0,0123456789abcdef1,0123456789abcdef2 | or two such tokens separated by a comma",
            "agent.rebalance-threshold-percent | 101 | AGENT_REBALANCE_THRESHOLD_PERCENT='101': expected a percentage from 0 to 100",
            "agent.migration-batch-keys | 0        | AGENT_MIGRATION_BATCH_KEYS='0': expected a whole number from 1 to 100000",
            "agent.migration-parallelism | many    | AGENT_MIGRATION_PARALLELISM='many'",
    })
    void aBadValueNamesTheVariableTheValueAndWhatIsExpected(String property, String value, String message) {
        assertThatThrownBy(() -> settings(Map.of(property, value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void crossFieldRules() {
        assertThatThrownBy(() -> settings(Map.of("agent.redis-username", "agent")))
                .hasMessageContaining("AGENT_REDIS_USERNAME").hasMessageContaining("AGENT_REDIS_PASSWORD");
        assertThatThrownBy(() -> settings(Map.of("agent.sentinel-masters", "mymaster")))
                .hasMessageContaining("AGENT_SENTINEL_NODES");
        assertThatThrownBy(() -> settings(Map.of("agent.lab", "true", "agent.cluster-nodes", "h:1")))
                .hasMessageContaining("AGENT_LAB");
    }

    @Test
    void theTokenNeverAppearsInAnError() {
        assertThatThrownBy(() -> settings(Map.of("agent.admin-token", "has a space in it!!")))
                .hasMessageNotContaining("has a space");
    }

    @Test
    void twoAdminTokensAreARotation() {
        assertThat(settings(Map.of("agent.admin-token", "new-token-0123456789,old-token-0123456789")).adminTokens())
                .containsExactly("new-token-0123456789", "old-token-0123456789");
        assertThat(settings(Map.of("agent.admin-token", "one-token-0123456789")).adminTokens()).containsExactly("one-token-0123456789");
    }

    @Test
    void environmentNamesFollowSmallRyesMapping() {
        assertThat(Settings.environmentName("agent.poll-interval")).isEqualTo("AGENT_POLL_INTERVAL");
    }
}
