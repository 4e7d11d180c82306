package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * The topology push settings, exactly as the environment gives them ({@code AGENT_PUSH_WEBHOOKS} maps to
 * {@code agent.push.webhooks}). Durations are typed as in {@link AgentConfig}; the URLs, the secret
 * and the channel stay text, checked by {@link PushSettings#from(PushConfig)} with one line naming the variable.
 */
@ConfigMapping(prefix = "agent.push")
public interface PushConfig {

    /** {@code url,url,...}; each receives every new view as a POST. */
    Optional<String> webhooks();

    /** HMAC-SHA256 key; unset: webhooks are not signed. */
    Optional<String> webhookSecret();

    /** Redis pub/sub channel the view is PUBLISHed on. */
    @WithDefault("cahoots:topology")
    String channel();

    /**
     * Smallest gap between two views caused by slot moves: a rebalance that moves a batch of slots per poll
     * produces one view per gap, not one per slot. Failovers are never held back.
     */
    @WithDefault("500ms")
    @WithConverter(Syntax.Span.class)
    @Range(min = "0", max = "1m")
    Duration coalesce();

    /** How often an idle event stream gets a comment line, so proxies keep it open. */
    @WithDefault("15s")
    @WithConverter(Syntax.Span.class)
    @Range(min = "100ms", max = "10m")
    Duration heartbeat();

    /** Connect and response timeout of one webhook POST. */
    @WithDefault("5s")
    @WithConverter(Syntax.Span.class)
    @Range(min = "100ms", max = "5m")
    Duration webhookTimeout();

    /**
     * Longest wait between two attempts at an endpoint that keeps failing (the wait doubles from 100ms,
     * {@link PushSettings#WEBHOOK_BACKOFF_INITIAL}, hence the minimum).
     */
    @WithDefault("30s")
    @WithConverter(Syntax.Span.class)
    @Range(min = "100ms", max = "1h")
    Duration webhookBackoffMax();

    /** How long one view is retried at a failing endpoint before it is dropped (the next view starts afresh). */
    @WithDefault("10m")
    @WithConverter(Syntax.Span.class)
    @Range(min = "1s", max = "24h")
    Duration webhookRetryFor();
}
