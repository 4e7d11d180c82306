package io.cahoots.agent.topology;

import io.cahoots.agent.config.PushSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names every topology and push meter. Tags are bounded: {@code cause} by {@link Causes}, {@code channel} by the
 * four channels, {@code endpoint} by {@code AGENT_PUSH_WEBHOOKS} (scheme, host, port and path only: no credentials,
 * no query string).
 */
@Singleton
public class PushMetrics {

    static final String PREFIX = "cahoots.";

    private final MeterRegistry registry;
    private final AtomicLong version = new AtomicLong();
    private final AtomicLong sseSubscribers = new AtomicLong();

    public PushMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(PREFIX + "topology.version", version, AtomicLong::doubleValue)
                .description("Version of the last published application view").register(registry);
        Gauge.builder(PREFIX + "push.sse.subscribers", sseSubscribers, AtomicLong::doubleValue)
                .description("Open GET /api/v1/topology/stream connections").register(registry);
    }

    public void published(PublishedView v) {
        version.set(v.version());
        Counter.builder(PREFIX + "topology.updates").description("Application views published, by cause")
                .tag("cause", v.view().cause()).register(registry).increment();
    }

    /** A view another sidecar published: the version gauge follows, the count of publications does not. */
    public void adopted(PublishedView v) {
        version.set(v.version());
    }

    public void sseSubscribers(long n) {
        sseSubscribers.set(n);
    }

    /** @param channel {@code sse}, {@code webhook} or {@code pubsub} */
    public void delivered(String channel, PublishedView v) {
        Timer.builder(PREFIX + "push.delivery.latency").description("From publishing a view to its delivery, per channel")
                .tag("channel", channel).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5))
                .register(registry)
                .record(Duration.ofNanos(System.nanoTime() - v.publishedNanos()));
    }

    /** @param outcome {@code delivered}, {@code failed} (will be retried) or {@code dropped} (retries exhausted) */
    public void webhook(URI endpoint, String outcome) {
        webhookAttempts(endpoint, outcome).increment();
    }

    /** Registers the endpoint's counters at 0, so that {@code increase()} sees its first dropped view. */
    public void webhookEndpoint(URI endpoint) {
        for (String outcome : new String[]{"delivered", "failed", "dropped"}) {
            webhookAttempts(endpoint, outcome);
        }
    }

    private Counter webhookAttempts(URI endpoint, String outcome) {
        return Counter.builder(PREFIX + "push.webhook.attempts").description("Webhook POSTs by endpoint and outcome")
                .tag("endpoint", PushSettings.redacted(endpoint)).tag("outcome", outcome).register(registry);
    }

    /** @param outcome {@code published} or {@code failed} */
    public void pubsub(String outcome) {
        Counter.builder(PREFIX + "push.pubsub.messages").description("Views PUBLISHed on AGENT_PUSH_CHANNEL, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }
}
