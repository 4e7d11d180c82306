package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * The API replica supervisor's settings, typed as in {@link AgentConfig} ({@code AGENT_SCALING_MIN_REPLICAS} maps to
 * {@code agent.scaling.min-replicas}). Names, the Prometheus URL and the queries stay text:
 * {@link ScalingSettings#from(ScalingConfig)} checks them with one line naming the variable.
 *
 * <p>The default queries assume a Quarkus/Micrometer API scraped by Prometheus under {@code job="cahoots-api"};
 * {@code docs/scaling.md} explains each one and what to change for another set-up.
 */
@ConfigMapping(prefix = "agent.scaling")
public interface ScalingConfig {

    String DEFAULT_QUERY_CPU =
            "100 * avg(rate(process_cpu_time_ns_total{job=\"cahoots-api\"}[1m]) / 1e9 / system_cpu_count{job=\"cahoots-api\"})";
    String DEFAULT_QUERY_MEMORY =
            "100 * avg(sum by (instance) (jvm_memory_used_bytes{job=\"cahoots-api\",area=\"heap\"})"
                    + " / sum by (instance) (jvm_memory_max_bytes{job=\"cahoots-api\",area=\"heap\"} > 0))";
    String DEFAULT_QUERY_QUEUE =
            "avg(sum by (instance) (worker_pool_queue_size{job=\"cahoots-api\",pool_name=\"vert.x-worker-thread\"}))";
    String DEFAULT_QUERY_P95 =
            "1000 * histogram_quantile(0.95, sum by (le) (rate(http_server_requests_seconds_bucket{job=\"cahoots-api\",uri!~\"/q/.*\"}[1m])))";

    @WithDefault("false")
    @WithConverter(Syntax.Flag.class)
    boolean enabled();

    /** Unset: the namespace the agent's pod runs in (from its service account), else {@code default}. */
    Optional<String> namespace();

    @WithDefault("cahoots-api")
    String deployment();

    /** A Deployment's replicas field is an int32, but a fleet past 1000 is a typo, not a plan. */
    @WithDefault("2")
    @WithConverter(Syntax.WholeBetween.class)
    @Range(min = "1", max = "1000")
    int minReplicas();

    @WithDefault("10")
    @WithConverter(Syntax.WholeBetween.class)
    @Range(min = "1", max = "1000")
    int maxReplicas();

    @WithDefault("2")
    @WithConverter(Syntax.WholeBetween.class)
    @Range(min = "1", max = "1000")
    int step();

    Optional<String> prometheusUrl();

    @WithDefault("70")
    @WithConverter(Syntax.Positive.class)
    @Range(max = "100")
    double cpuPercent();

    @WithDefault("80")
    @WithConverter(Syntax.Positive.class)
    @Range(max = "100")
    double memoryPercent();

    @WithDefault("100")
    @WithConverter(Syntax.Positive.class)
    double queueLength();

    @WithDefault("500")
    @WithConverter(Syntax.Positive.class)
    double p95Ms();

    @WithDefault("5m")
    @WithConverter(Syntax.Span.class)
    @Range(min = "1s", max = "24h")
    Duration sustain();

    @WithDefault("5m")
    @WithConverter(Syntax.Span.class)
    @Range(min = "1s", max = "24h")
    Duration observe();

    @WithDefault(DEFAULT_QUERY_CPU)
    String queryCpu();

    @WithDefault(DEFAULT_QUERY_MEMORY)
    String queryMemory();

    @WithDefault(DEFAULT_QUERY_QUEUE)
    String queryQueue();

    @WithDefault(DEFAULT_QUERY_P95)
    String queryP95();

    @WithDefault("false")
    @WithConverter(Syntax.Flag.class)
    boolean dryRun();

    /** How often readings are taken and the policy evaluated (an extension of the contract). */
    @WithDefault("15s")
    @WithConverter(Syntax.Span.class)
    @Range(min = "100ms", max = "10m")
    Duration interval();

    /** How long every reading must stay below half its threshold before one step down (an extension). */
    @WithDefault("30m")
    @WithConverter(Syntax.Span.class)
    @Range(min = "1s", max = "168h")
    Duration scaleDownAfter();

    /** A Redis node's average time per command over the last poll interval that counts as "high latency" evidence. */
    @WithDefault("10")
    @WithConverter(Syntax.Positive.class)
    double redisLatencyMs();

    /** used_memory / maxmemory on a Redis node that counts as "memory pressure" evidence. */
    @WithDefault("90")
    @WithConverter(Syntax.Positive.class)
    @Range(max = "100")
    double redisMemoryPercent();
}
