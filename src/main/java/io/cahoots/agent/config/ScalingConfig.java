package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * The API replica supervisor's settings, exactly as the environment gives them ({@code AGENT_SCALING_MIN_REPLICAS}
 * maps to {@code agent.scaling.min-replicas}). Values stay text for the same reason as in {@link AgentConfig}:
 * {@link ScalingSettings#from(ScalingConfig)} turns a bad value into one line naming the variable.
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
    String enabled();

    /** Unset: the namespace the agent's pod runs in (from its service account), else {@code default}. */
    Optional<String> namespace();

    @WithDefault("cahoots-api")
    String deployment();

    @WithDefault("2")
    String minReplicas();

    @WithDefault("10")
    String maxReplicas();

    @WithDefault("2")
    String step();

    Optional<String> prometheusUrl();

    @WithDefault("70")
    String cpuPercent();

    @WithDefault("80")
    String memoryPercent();

    @WithDefault("100")
    String queueLength();

    @WithDefault("500")
    String p95Ms();

    @WithDefault("5m")
    String sustain();

    @WithDefault("5m")
    String observe();

    @WithDefault(DEFAULT_QUERY_CPU)
    String queryCpu();

    @WithDefault(DEFAULT_QUERY_MEMORY)
    String queryMemory();

    @WithDefault(DEFAULT_QUERY_QUEUE)
    String queryQueue();

    @WithDefault(DEFAULT_QUERY_P95)
    String queryP95();

    @WithDefault("false")
    String dryRun();

    /** How often readings are taken and the policy evaluated (an extension of the contract). */
    @WithDefault("15s")
    String interval();

    /** How long every reading must stay below half its threshold before one step down (an extension). */
    @WithDefault("30m")
    String scaleDownAfter();

    /** A Redis node's average time per command over the last poll interval that counts as "high latency" evidence. */
    @WithDefault("10")
    String redisLatencyMs();

    /** used_memory / maxmemory on a Redis node that counts as "memory pressure" evidence. */
    @WithDefault("90")
    String redisMemoryPercent();
}
