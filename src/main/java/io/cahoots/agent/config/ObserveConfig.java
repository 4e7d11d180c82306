package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;

import java.time.Duration;
import java.util.Optional;

/**
 * How the cluster is observed beyond the poll itself ({@code AGENT_METRICS_INTERVAL} maps to
 * {@code agent.metrics.interval}), typed as in {@link AgentConfig}.
 */
@ConfigMapping(prefix = "agent.metrics")
public interface ObserveConfig {

    /** How often each node's INFO (the node metrics) is read; unset: on every poll. */
    @WithConverter(Syntax.Span.class)
    @Range(min = "100ms", max = "1h")
    Optional<Duration> interval();
}
