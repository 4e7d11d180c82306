package io.cahoots.agent.config;

import io.cahoots.agent.config.PolicySettings.TtlPattern;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Policy settings from maps through the real mapping, never from this process' environment. */
class PolicySettingsTest {

    static PolicySettings settings(Map<String, String> properties) {
        return PolicySettings.from(ConfigMaps.mapping(PolicyConfig.class, properties));
    }

    @Test
    void defaultsAreTheCachingStrategys() {
        PolicySettings s = settings(Map.of());
        assertThat(s.maxmemoryBytes()).isEqualTo(2L * 1024 * 1024 * 1024);
        assertThat(s.maxmemoryPolicy()).isEqualTo("allkeys-lru");
        assertThat(s.ttlPatterns()).containsExactly(new TtlPattern("api:rate_limit:*", 60),
                new TtlPattern("api:cache:*", 300), new TtlPattern("user:session:*", 3600));
        assertThat(s.enforce()).isFalse();
        assertThat(s.auditInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.auditBudget()).isEqualTo(1000);
        assertThat(s.auditEnabled()).isTrue();
    }

    @Test
    void environmentVariablesMapAsTheContractNamesThem() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of(
                        "AGENT_POLICY_MAXMEMORY", "512mb",
                        "AGENT_POLICY_MAXMEMORY_POLICY", "volatile-ttl",
                        "AGENT_POLICY_TTL_PATTERNS", " a:*=1 , b:[xy]?=86400 ",
                        "AGENT_POLICY_ENFORCE", "true",
                        "AGENT_POLICY_AUDIT_INTERVAL", "2s",
                        "AGENT_POLICY_AUDIT_BUDGET", "0"), 300))
                .withMapping(PolicyConfig.class)
                .build();
        PolicySettings s = PolicySettings.from(config.getConfigMapping(PolicyConfig.class));
        assertThat(s.maxmemoryBytes()).isEqualTo(512L * 1024 * 1024);
        assertThat(s.maxmemoryPolicy()).isEqualTo("volatile-ttl");
        assertThat(s.ttlPatterns()).containsExactly(new TtlPattern("a:*", 1), new TtlPattern("b:[xy]?", 86400));
        assertThat(s.enforce()).isTrue();
        assertThat(s.auditInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.auditEnabled()).isFalse();
    }

    /** The units of redis.conf (util.c memtoll): the same text means the same bytes in both places. */
    @ParameterizedTest
    @CsvSource({
            "2gb, 2147483648", "2GB, 2147483648", "2g, 2000000000", "512mb, 536870912", "512m, 512000000",
            "1048576, 1048576", "1024kb, 1048576", "2000k, 2000000", "0, 0", "3000000b, 3000000"})
    void memorySizesReadAsRedisReadsThem(String text, long bytes) {
        assertThat(settings(Map.of("agent.policy.maxmemory", text)).maxmemoryBytes()).isEqualTo(bytes);
    }

    @Test
    void memorySizesFormatToTheShortestExactUnit() {
        assertThat(PolicySettings.formatMemory(2147483648L)).isEqualTo("2gb");
        assertThat(PolicySettings.formatMemory(536870912L)).isEqualTo("512mb");
        assertThat(PolicySettings.formatMemory(1536L)).isEqualTo("1536b");
        assertThat(PolicySettings.formatMemory(3L * 1024)).isEqualTo("3kb");
        assertThat(PolicySettings.formatMemory(1000)).isEqualTo("1000b");
        assertThat(PolicySettings.formatMemory(0)).isEqualTo("0");
        for (long b : List.of(1L, 1023L, 1025L, 5L * 1024 * 1024 * 1024, 123456789L)) {
            assertThat(PolicySettings.parseMemory(PolicySettings.formatMemory(b))).isEqualTo(b);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "agent.policy.maxmemory        | 2 gb        | Invalid setting AGENT_POLICY_MAXMEMORY='2 gb': expected a memory size as in redis.conf",
            "agent.policy.maxmemory        | 2tb         | Invalid setting AGENT_POLICY_MAXMEMORY='2tb'",
            "agent.policy.maxmemory        | 100         | at least 1mb and at most 4096gb, or 0 for no limit",
            "agent.policy.maxmemory        | 5000gb      | Invalid setting AGENT_POLICY_MAXMEMORY='5000gb'",
            "agent.policy.maxmemory        | 99999999999999999999 | Invalid setting AGENT_POLICY_MAXMEMORY=",
            "agent.policy.maxmemory        | -1          | Invalid setting AGENT_POLICY_MAXMEMORY='-1'",
            "agent.policy.maxmemory-policy | allkeys-lrux | Invalid setting AGENT_POLICY_MAXMEMORY_POLICY='allkeys-lrux': expected one of allkeys-lru",
            "agent.policy.maxmemory-policy | lru         | Invalid setting AGENT_POLICY_MAXMEMORY_POLICY='lru'",
            "agent.policy.ttl-patterns     | api:*       | 'api:*' is not pattern=seconds",
            "agent.policy.ttl-patterns     | api:*=0     | 'api:*=0' is not pattern=seconds with seconds from 1 to 315360000",
            "agent.policy.ttl-patterns     | api:*=1.5   | 'api:*=1.5' is not pattern=seconds",
            "agent.policy.ttl-patterns     | api:*=-5    | 'api:*=-5' is not pattern=seconds",
            "agent.policy.ttl-patterns     | a b=5       | 'a b=5' is not pattern=seconds",
            "agent.policy.ttl-patterns     | a=5,a=6     | 'a' is listed twice",
            "agent.policy.ttl-patterns     | \" , \"       | no pattern; to turn the audit off set AGENT_POLICY_AUDIT_BUDGET=0",
            "agent.policy.ttl-patterns     | a=999999999999 | Invalid setting AGENT_POLICY_TTL_PATTERNS=",
            "agent.policy.enforce          | yes         | Invalid setting AGENT_POLICY_ENFORCE='yes': expected true or false",
            "agent.policy.audit-interval   | 0s          | Invalid setting AGENT_POLICY_AUDIT_INTERVAL='0s'",
            "agent.policy.audit-budget     | -1          | Invalid setting AGENT_POLICY_AUDIT_BUDGET='-1': expected a whole number from 0 to 100000",
            "agent.policy.audit-budget     | 100001      | Invalid setting AGENT_POLICY_AUDIT_BUDGET='100001'",
    })
    void aBadValueIsOneLineNamingTheVariable(String property, String value, String message) {
        assertThatThrownBy(() -> settings(Map.of(property, value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void policyNamesAreCaseInsensitiveAndStoredAsRedisReportsThem() {
        assertThat(settings(Map.of("agent.policy.maxmemory-policy", " AllKeys-LFU ")).maxmemoryPolicy()).isEqualTo("allkeys-lfu");
    }

    @Test
    void toStringShowsTheSettingsReadably() {
        assertThat(settings(Map.of()).toString()).contains("maxmemory=2gb", "maxmemory-policy=allkeys-lru", "api:cache:*=300");
    }
}
