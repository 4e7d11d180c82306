package io.cahoots.agent.config;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Scaling settings from maps through the real mapping, never from this process' environment. */
class ScalingSettingsTest {

    static ScalingSettings settings(Map<String, String> properties) {
        return ScalingSettings.from(ConfigMaps.mapping(ScalingConfig.class, properties));
    }

    @Test
    void defaultsAreTheStrategysAndScalingIsOff() {
        ScalingSettings s = settings(Map.of());
        assertThat(s.enabled()).isFalse();
        assertThat(s.namespace()).isEmpty();
        assertThat(s.deployment()).isEqualTo("cahoots-api");
        assertThat(s.minReplicas()).isEqualTo(2);
        assertThat(s.maxReplicas()).isEqualTo(10);
        assertThat(s.step()).isEqualTo(2);
        assertThat(s.cpuPercent()).isEqualTo(70);
        assertThat(s.memoryPercent()).isEqualTo(80);
        assertThat(s.queueLength()).isEqualTo(100);
        assertThat(s.p95Ms()).isEqualTo(500);
        assertThat(s.sustain()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.observe()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.dryRun()).isFalse();
        assertThat(s.interval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.scaleDownAfter()).isEqualTo(Duration.ofMinutes(30));
        assertThat(s.queryCpu()).isEqualTo(ScalingConfig.DEFAULT_QUERY_CPU).contains("process_cpu_time_ns_total");
        assertThat(s.queryP95()).isEqualTo(ScalingConfig.DEFAULT_QUERY_P95).contains("histogram_quantile(0.95");
    }

    @Test
    void environmentVariablesMapAsTheContractNamesThem() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of(
                        "AGENT_SCALING_ENABLED", "true",
                        "AGENT_SCALING_NAMESPACE", "shop",
                        "AGENT_SCALING_DEPLOYMENT", "api",
                        "AGENT_SCALING_MIN_REPLICAS", "3",
                        "AGENT_SCALING_MAX_REPLICAS", "12",
                        "AGENT_SCALING_STEP", "3",
                        "AGENT_SCALING_PROMETHEUS_URL", "http://prometheus.monitoring:9090/",
                        "AGENT_SCALING_P95_MS", "250.5",
                        "AGENT_SCALING_QUERY_QUEUE", "sum(my_queue)",
                        "AGENT_SCALING_DRY_RUN", "true"), 300))
                .withMapping(ScalingConfig.class)
                .build();
        ScalingSettings s = ScalingSettings.from(config.getConfigMapping(ScalingConfig.class));
        assertThat(s.enabled()).isTrue();
        assertThat(s.namespace()).contains("shop");
        assertThat(s.deployment()).isEqualTo("api");
        assertThat(s.minReplicas()).isEqualTo(3);
        assertThat(s.maxReplicas()).isEqualTo(12);
        assertThat(s.step()).isEqualTo(3);
        assertThat(s.prometheusUrl()).contains(URI.create("http://prometheus.monitoring:9090"));
        assertThat(s.p95Ms()).isEqualTo(250.5);
        assertThat(s.queryQueue()).isEqualTo("sum(my_queue)");
        assertThat(s.dryRun()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "agent.scaling.enabled         | yes     | AGENT_SCALING_ENABLED='yes': expected true or false",
            "agent.scaling.min-replicas    | 0       | AGENT_SCALING_MIN_REPLICAS='0': expected a whole number between 1 and 1000",
            "agent.scaling.min-replicas    | two     | AGENT_SCALING_MIN_REPLICAS='two'",
            "agent.scaling.max-replicas    | 1       | AGENT_SCALING_MAX_REPLICAS='1': expected at least AGENT_SCALING_MIN_REPLICAS (2)",
            "agent.scaling.step            | 0       | AGENT_SCALING_STEP='0'",
            "agent.scaling.cpu-percent     | 120     | AGENT_SCALING_CPU_PERCENT='120': expected a number greater than 0 and at most 100",
            "agent.scaling.memory-percent  | -5      | AGENT_SCALING_MEMORY_PERCENT='-5'",
            "agent.scaling.queue-length    | NaN     | AGENT_SCALING_QUEUE_LENGTH='NaN': expected a number greater than 0",
            "agent.scaling.p95-ms          | 0       | AGENT_SCALING_P95_MS='0'",
            "agent.scaling.sustain         | 5 min   | AGENT_SCALING_SUSTAIN='5 min': expected a duration between 1s and 24h",
            "agent.scaling.observe         | 0s      | AGENT_SCALING_OBSERVE='0s'",
            "agent.scaling.interval        | 1h      | AGENT_SCALING_INTERVAL='1h'",
            "agent.scaling.scale-down-after | 1m     | AGENT_SCALING_SCALE_DOWN_AFTER='1m': expected at least AGENT_SCALING_SUSTAIN (5m)",
            "agent.scaling.namespace       | Shop_1  | AGENT_SCALING_NAMESPACE='Shop_1': expected a Kubernetes namespace name",
            "agent.scaling.deployment      | my api  | AGENT_SCALING_DEPLOYMENT='my api'",
            "agent.scaling.prometheus-url  | prometheus:9090 | AGENT_SCALING_PROMETHEUS_URL='prometheus:9090': expected an http(s) base URL",
            "agent.scaling.prometheus-url  | ftp://p/ | AGENT_SCALING_PROMETHEUS_URL='ftp://p/'",
            "agent.scaling.dry-run         | ture    | AGENT_SCALING_DRY_RUN='ture'",
            "agent.scaling.redis-memory-percent | 101 | AGENT_SCALING_REDIS_MEMORY_PERCENT='101'",
    })
    void aBadValueNamesTheVariableTheValueAndWhatIsExpected(String property, String value, String message) {
        assertThatThrownBy(() -> settings(Map.of(property, value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void enablingScalingNeedsPrometheus() {
        assertThatThrownBy(() -> settings(Map.of("agent.scaling.enabled", "true")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("Invalid setting AGENT_SCALING_PROMETHEUS_URL: is unset but AGENT_SCALING_ENABLED=true");
        assertThat(settings(Map.of("agent.scaling.enabled", "true", "agent.scaling.prometheus-url", "https://p.example:9090"))
                .prometheusUrl()).contains(URI.create("https://p.example:9090"));
    }

    @Test
    void aBlankQueryIsAnErrorNotASilentDefault() {
        assertThatThrownBy(() -> settings(Map.of("agent.scaling.query-cpu", " ")))
                .hasMessageContaining("AGENT_SCALING_QUERY_CPU");
    }

    @Test
    void credentialsInThePrometheusUrlAreRefused() {
        assertThatThrownBy(() -> settings(Map.of("agent.scaling.prometheus-url", "http://user:secret@p:9090")))
                .hasMessageContaining("AGENT_SCALING_PROMETHEUS_URL");
    }
}
