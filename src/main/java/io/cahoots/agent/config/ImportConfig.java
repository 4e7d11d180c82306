package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * The import settings (issue 15: moving a Sentinel-managed Redis into the cluster), typed as in {@link AgentConfig}.
 */
@ConfigMapping(prefix = "agent.import")
public interface ImportConfig {

    /** After the cutover: how long changes still reaching the old primary are applied before the verification. */
    @WithDefault("30s")
    @WithConverter(Syntax.Span.class)
    @Range(min = "0", max = "24h")
    Duration grace();

    /** Keys per SCAN page and per DUMP/RESTORE pipeline. */
    @WithDefault("1000")
    @WithConverter(Syntax.Whole.class)
    @Range(min = "1", max = "100000")
    int batchKeys();

    /** How far the TTLs of a key on the source and on the target may differ in the verification. */
    @WithDefault("1s")
    @WithConverter(Syntax.Span.class)
    @Range(min = "0", max = "10m")
    Duration ttlTolerance();

    /** With {@code autoCutover}: the cutover happens once the full copy is done and at most this many changes wait. */
    @WithDefault("100")
    @WithConverter(Syntax.Whole.class)
    @Range(min = "0", max = "10000000")
    int autoCutoverLagKeys();
}
