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
     * The latency a migration may add to a client's command on its source or target shard; {@code 0} or {@code off}:
     * no budget, every round as big as the batch settings allow. Off by default until a benchmark under client load
     * has chosen a value (issue 16).
     */
    @WithDefault("off")
    @WithConverter(Syntax.SpanOrOff.class)
    @Range(min = "0", max = "10s")
    Duration maxLatency();

    /** Bytes per MIGRATE round (sizes from MEMORY USAGE); a bigger key moves alone. {@code 0}: keys only. */
    @WithDefault("8mb")
    @WithConverter(Syntax.Bytes.class)
    @Range(min = "0", max = "1024gb")
    long batchBytes();
}
