package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * Every setting, exactly as the environment gives it ({@code AGENT_FOO_BAR} maps to {@code agent.foo-bar}).
 *
 * <p>Values stay text here on purpose: {@link Settings#from(AgentConfig)} converts and validates them so
 * that a bad value produces one line naming the variable, the value and what is expected, instead of a
 * converter stack trace, and so that booleans are strict ("ture" is an error, not false).
 */
@ConfigMapping(prefix = "agent")
public interface AgentConfig {

    Optional<String> clusterNodes();

    Optional<String> sentinelNodes();

    Optional<String> sentinelMasters();

    Optional<String> redisUsername();

    Optional<String> redisPassword();

    Optional<String> sentinelPassword();

    @WithDefault("false")
    String redisTls();

    /** Per-command timeout towards Redis; a hung node is reported unreachable after this long. */
    @WithDefault("1s")
    String redisTimeout();

    Optional<String> adminToken();

    @WithDefault("1s")
    String pollInterval();

    @WithDefault("false")
    String lab();

    /** With {@code AGENT_LAB}: {@code maxmemory} of every lab data node (e.g. {@code 32mb}), so memory triggers can fire. */
    Optional<String> labMaxmemory();

    @WithDefault("2")
    String rebalanceThresholdPercent();

    /** Keys per MIGRATE; the default is the best of bench/rebalance.sh on the lab. */
    @WithDefault("1000")
    String migrationBatchKeys();

    /** How long the execution lease outlives an agent that died holding it. */
    @WithDefault("10s")
    String leaseTimeout();

    /** Slot moves in flight across disjoint (source, target) pairs. */
    @WithDefault("4")
    String migrationParallelism();
}
