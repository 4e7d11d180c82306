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
     * batch settings allow, several sources into one target at once. The default 1 ms was chosen by
     * {@code bench/client-latency.sh} (issue 16; the README has the figures): on this project's loaded 2-core machine
     * the rebalance finished 2.1-2.5x sooner than redis-cli's, with the clients' p99 under its in two runs of three
     * (0.76-0.94x; 1.20x in the third), where 700 us was 1.6-1.8x sooner.
     */
    @WithDefault("1ms")
    @WithConverter(Syntax.SpanOrOff.class)
    @Range(min = "0", max = "10s")
    Duration maxLatency();

    /** Bytes per MIGRATE round (sizes from MEMORY USAGE); a bigger key moves alone. {@code 0}: keys only. */
    @WithDefault("8mb")
    @WithConverter(Syntax.Bytes.class)
    @Range(min = "0", max = "1024gb")
    long batchBytes();
}
