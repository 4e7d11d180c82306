package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * The Redis policy settings (the scaling strategy's caching section), typed as in {@link AgentConfig}
 * ({@code AGENT_POLICY_MAXMEMORY_POLICY} maps to {@code agent.policy.maxmemory-policy}). The memory size (Redis' own
 * units), the eviction policy and the TTL patterns stay text: {@link PolicySettings#from(PolicyConfig)} checks them
 * with one line naming the variable.
 */
@ConfigMapping(prefix = "agent.policy")
public interface PolicyConfig {

    /** {@code maxmemory} every data node should have, in Redis' own units ({@code 2gb}, {@code 512mb}, bytes). */
    @WithDefault("2gb")
    String maxmemory();

    /** {@code maxmemory-policy} every data node should have. */
    @WithDefault("allkeys-lru")
    String maxmemoryPolicy();

    /** {@code pattern=ttl,...}: keys matching the glob pattern must expire within ttl seconds. */
    @WithDefault("api:rate_limit:*=60,api:cache:*=300,user:session:*=3600")
    String ttlPatterns();

    /** Correct drift ({@code CONFIG SET}, {@code EXPIRE}) instead of only reporting it. */
    @WithDefault("false")
    @WithConverter(Syntax.Flag.class)
    boolean enforce();

    /** How often the TTL audit runs one bounded cycle (an extension of the contract). */
    @WithDefault("10s")
    @WithConverter(Syntax.Span.class)
    @Range(min = "1s", max = "1h")
    Duration auditInterval();

    /**
     * Keys the TTL audit asks each master to examine per cycle, summed over the SCAN {@code COUNT}s of every
     * pattern; 0 turns the audit off (an extension of the contract).
     */
    @WithDefault("1000")
    @WithConverter(Syntax.Whole.class)
    @Range(min = "0", max = "100000")
    int auditBudget();
}
