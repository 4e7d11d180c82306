package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How gently migrations move keys (issue 16), typed as in {@link AgentConfig}. The batch size and the parallelism
 * stay in {@link AgentConfig}.
 */
@ConfigMapping(prefix = "agent.migration")
public interface MigrationConfig {

    /**
     * The latency a migration may add to a client's command on its source or target shard, while clients use it (on an
     * idle shard rounds are as big as without a budget); {@code 0} or {@code off}: no budget, every round as big as the
     * batch settings allow, several sources into one target at once. The default 700 us was chosen by
     * {@code bench/client-latency.sh} (issue 16; the README has the figures): there the clients' p99 stayed at or under
     * redis-cli's while the rebalance finished 1.9-2.1x sooner.
     */
    @WithDefault("700us")
    @WithConverter(Syntax.SpanOrOff.class)
    @Range(min = "0", max = "10s")
    Duration maxLatency();

    /** Bytes per MIGRATE round (sizes from MEMORY USAGE); a bigger key moves alone. {@code 0}: keys only. */
    @WithDefault("8mb")
    @WithConverter(Syntax.Bytes.class)
    @Range(min = "0", max = "1024gb")
    long batchBytes();
}
