package io.cahoots.agent.config;

import io.cahoots.agent.cluster.HostPort;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The Redis shard autoscaler's settings typed as in {@link AgentConfig} ({@code AGENT_REDIS_SCALING_MIN_MASTERS} maps to
 * {@code agent.redis-scaling.min-masters}); {@link RedisScalingSettings#from} validates them.
 */
@ConfigMapping(prefix = "agent.redis-scaling")
public interface RedisScalingConfig {

    @WithDefault("false")
    @WithConverter(Syntax.Flag.class)
    boolean enabled();

    @WithDefault("3")
    @WithConverter(Syntax.Whole.class)
    @Range(min = "1", max = "1000")
    int minMasters();

    @WithDefault("10")
    @WithConverter(Syntax.Whole.class)
    @Range(min = "1", max = "1000")
    int maxMasters();

    /** The fullest master's used_memory / maxmemory that asks for a shard. */
    @WithDefault("80")
    @WithConverter(Syntax.Percent.class)
    double memoryPercent();

    /** Operations per second per master that ask for a shard. */
    @WithDefault("50000")
    @WithConverter(Syntax.Rate.class)
    @Range(max = "1e12")
    double opsPerSecond();

    /** The slowest command's recent average time per call, on any master, that asks for a shard. */
    @WithDefault("10")
    @WithConverter(Syntax.Rate.class)
    @Range(max = "1e12")
    double latencyMs();

    @WithDefault("5m")
    @WithConverter(Syntax.Span.class)
    @Range(min = "1s", max = "24h")
    Duration sustain();

    @WithDefault("5m")
    @WithConverter(Syntax.Span.class)
    @Range(min = "1s", max = "24h")
    Duration observe();

    /** How long every reading must stay below half its threshold before one shard is drained. */
    @WithDefault("1h")
    @WithConverter(Syntax.Span.class)
    @Range(min = "1s", max = "168h")
    Duration scaleInAfter();

    @WithDefault("false")
    @WithConverter(Syntax.Flag.class)
    boolean dryRun();

    /** Off Kubernetes: idle cluster-enabled nodes a scale-out takes (two per shard) and a scale-in gives back. */
    @WithConverter(Syntax.Addresses.class)
    Optional<List<HostPort>> spareNodes();

    /** How often the readings are taken and the policy runs. */
    @WithDefault("5s")
    @WithConverter(Syntax.Span.class)
    @Range(min = "100ms", max = "10m")
    Duration interval();
}
