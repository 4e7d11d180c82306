package io.cahoots.agent.topology;

import io.cahoots.agent.config.PushSettings;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Views and settings for the push unit tests. */
final class PushTesting {

    static final byte[] SECRET = "test-secret-0123456789".getBytes(StandardCharsets.UTF_8);

    private PushTesting() {
    }

    static PublishedView view(long version) {
        TopologyView v = TopologyView.of(version, Causes.FAILOVER, "2026-01-01T00:00:00Z", new TopologyView.Content(List.of(),
                Map.of("mymaster", new TopologyView.Group("127.0.0.1:" + (7000 + version % 1000), List.of()))));
        String json = "{\"version\":" + version + "}";
        return new PublishedView(v, json.getBytes(StandardCharsets.UTF_8), System.nanoTime());
    }

    static PushSettings settings(List<URI> webhooks, Duration heartbeat, Duration timeout, Duration backoffMax, Duration retryFor) {
        return new PushSettings(webhooks, Optional.of(SECRET), "test:topology", Duration.ZERO, heartbeat, timeout,
                backoffMax, retryFor);
    }
}
