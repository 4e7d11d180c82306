package io.cahoots.agent.config;

import io.cahoots.agent.cluster.HostPort;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The core settings, typed ({@code AGENT_FOO_BAR} maps to {@code agent.foo-bar}). Each value goes through one of the
 * agent's {@link Syntax} converters and, where it has bounds, its {@link Range}, so that a bad value produces one line
 * naming the variable, the value and what is expected (see {@link SettingErrors}) instead of a converter stack trace,
 * and booleans are strict ("ture" is an error, not false). {@link Settings#from(AgentConfig)} adds the rules between
 * settings.
 */
@ConfigMapping(prefix = "agent")
public interface AgentConfig {

    @WithConverter(Syntax.Addresses.class)
    Optional<List<HostPort>> clusterNodes();

    @WithConverter(Syntax.Addresses.class)
    Optional<List<HostPort>> sentinelNodes();

    /** Comma-separated master names (trimmed, duplicates dropped by {@link Settings}). */
    Optional<String> sentinelMasters();

    Optional<String> redisUsername();

    Optional<String> redisPassword();

    Optional<String> sentinelPassword();

    @WithDefault("false")
    @WithConverter(Syntax.Flag.class)
    boolean redisTls();

    /** Per-command timeout towards Redis; a hung node is reported unreachable after this long. */
    @WithDefault("1s")
    @WithConverter(Syntax.Span.class)
    @Range(min = "50ms", max = "1m")
    Duration redisTimeout();

    Optional<String> adminToken();

    @WithDefault("1s")
    @WithConverter(Syntax.Span.class)
    @Range(min = "100ms", max = "1h")
    Duration pollInterval();

    @WithDefault("false")
    @WithConverter(Syntax.Flag.class)
    boolean lab();

    /**
     * With {@code AGENT_LAB}: {@code maxmemory} of every lab data node (e.g. {@code 32mb}), so memory triggers can
     * fire. Text: Redis' own size syntax, checked by the lab.
     */
    Optional<String> labMaxmemory();

    @WithDefault("2")
    @WithConverter(Syntax.Percent.class)
    double rebalanceThresholdPercent();

    /** Keys per MIGRATE; the default is the best of bench/rebalance.sh on the lab. */
    @WithDefault("1000")
    @WithConverter(Syntax.Whole.class)
    @Range(min = "1", max = "100000")
    int migrationBatchKeys();

    /** How long the execution lease outlives an agent that died holding it. */
    @WithDefault("10s")
    @WithConverter(Syntax.Span.class)
    @Range(min = "1s", max = "10m")
    Duration leaseTimeout();

    /** Slot moves in flight across disjoint (source, target) pairs. */
    @WithDefault("4")
    @WithConverter(Syntax.Whole.class)
    @Range(min = "1", max = "64")
    int migrationParallelism();
}
