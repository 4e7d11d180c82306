package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * The Redis shard autoscaler's settings as the environment gives them ({@code AGENT_REDIS_SCALING_MIN_MASTERS} maps to
 * {@code agent.redis-scaling.min-masters}); {@link RedisScalingSettings#from} validates them.
 */
@ConfigMapping(prefix = "agent.redis-scaling")
public interface RedisScalingConfig {

    @WithDefault("false")
    String enabled();

    @WithDefault("3")
    String minMasters();

    @WithDefault("10")
    String maxMasters();

    /** The fullest master's used_memory / maxmemory that asks for a shard. */
    @WithDefault("80")
    String memoryPercent();

    /** Operations per second per master that ask for a shard. */
    @WithDefault("50000")
    String opsPerSecond();

    /** The slowest command's recent average time per call, on any master, that asks for a shard. */
    @WithDefault("10")
    String latencyMs();

    @WithDefault("5m")
    String sustain();

    @WithDefault("5m")
    String observe();

    /** How long every reading must stay below half its threshold before one shard is drained. */
    @WithDefault("1h")
    String scaleInAfter();

    @WithDefault("false")
    String dryRun();

    /** Off Kubernetes: idle cluster-enabled nodes a scale-out takes (two per shard) and a scale-in gives back. */
    Optional<String> spareNodes();

    /** How often the readings are taken and the policy runs. */
    @WithDefault("5s")
    String interval();
}
