package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/**
 * How the cluster is observed beyond the poll itself ({@code AGENT_METRICS_INTERVAL} maps to
 * {@code agent.metrics.interval}). Text, as in {@link AgentConfig}: {@link ObserveSettings#from} names a bad value.
 */
@ConfigMapping(prefix = "agent.metrics")
public interface ObserveConfig {

    /** How often each node's INFO (the node metrics) is read; unset: on every poll. */
    Optional<String> interval();
}
