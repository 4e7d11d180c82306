package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The import settings (issue 15: moving a Sentinel-managed Redis into the cluster), as text: {@link ImportSettings}
 * turns a bad value into one line naming the variable.
 */
@ConfigMapping(prefix = "agent.import")
public interface ImportConfig {

    /** After the cutover: how long changes still reaching the old primary are applied before the verification. */
    @WithDefault("30s")
    String grace();

    /** Keys per SCAN page and per DUMP/RESTORE pipeline. */
    @WithDefault("1000")
    String batchKeys();

    /** How far the TTLs of a key on the source and on the target may differ in the verification. */
    @WithDefault("1s")
    String ttlTolerance();

    /** With {@code autoCutover}: the cutover happens once the full copy is done and at most this many changes wait. */
    @WithDefault("100")
    String autoCutoverLagKeys();
}
