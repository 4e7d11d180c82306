package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * The Redis pods the agent manages on Kubernetes, typed as in {@link AgentConfig} ({@code AGENT_KUBE_REDIS_SELECTOR}
 * maps to {@code agent.kube.redis-selector}); {@link KubeSettings#from} validates them.
 */
@ConfigMapping(prefix = "agent.kube")
public interface KubeConfig {

    /** Namespace of the Redis pods; unset: the agent's own namespace. */
    Optional<String> redisNamespace();

    /** Label selector of the Redis pods, {@code key=value,...}; unset: the agent does not look for pods. */
    Optional<String> redisSelector();

    /** How a new pod of the StatefulSet joins: {@code replica} or {@code master} (then a rebalance). */
    @WithDefault("replica")
    @WithConverter(KubeSettings.JoinAsName.class)
    KubeSettings.JoinAs joinAs();
}
