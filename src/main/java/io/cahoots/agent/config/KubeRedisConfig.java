package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/**
 * The Redis pods the agent manages on Kubernetes ({@code AGENT_KUBE_REDIS_NAMESPACE}, {@code AGENT_KUBE_REDIS_SELECTOR}):
 * with a selector set, a roll restarts a node by deleting its pod. Unset: no Kubernetes access for Redis at all.
 */
@ConfigMapping(prefix = "agent.kube-redis")
public interface KubeRedisConfig {

    /** Unset: the namespace the agent's pod runs in (from its service account), else {@code default}. */
    Optional<String> namespace();

    /** A label selector such as {@code app.kubernetes.io/name=redis-cluster}. */
    Optional<String> selector();
}
