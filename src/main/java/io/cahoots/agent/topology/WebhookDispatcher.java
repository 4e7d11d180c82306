package io.cahoots.agent.topology;

import io.cahoots.agent.config.PushSettings;
import io.cahoots.agent.lifecycle.Background;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One {@link WebhookEndpoint} per URL of {@code AGENT_PUSH_WEBHOOKS}, sharing one HTTP client (HTTP/1.1, so no h2c
 * upgrade dance with simple receivers) and one retry timer. Offering a view to every endpoint never blocks.
 */
@ApplicationScoped
public class WebhookDispatcher implements TopologySink {

    private final List<WebhookEndpoint> endpoints;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService timer;

    public WebhookDispatcher(PushSettings push, PushMetrics metrics) {
        httpThreads = Background.cached("topology-webhook");
        timer = Background.scheduler("topology-webhook-retry");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(push.webhookTimeout()).executor(httpThreads).build();
        endpoints = push.webhooks().stream().map(u -> new WebhookEndpoint(u, http, push, timer, metrics)).toList();
    }

    @Override
    public void offer(PublishedView view) {
        endpoints.forEach(e -> e.offer(view));
    }

    @Override
    public void onDelivered(java.util.function.BiConsumer<String, Long> ledger) {
        endpoints.forEach(e -> e.onDelivered(ledger));
    }

    /** Each endpoint's ledger name, to ask the fleet what it last received. */
    List<String> ledgerNames() {
        return endpoints.stream().map(WebhookEndpoint::ledgerName).toList();
    }

    /** Offers a view to the one endpoint of that ledger name (a new leader catching it up). */
    void offerTo(String ledgerName, PublishedView view) {
        endpoints.stream().filter(e -> e.ledgerName().equals(ledgerName)).forEach(e -> e.offer(view));
    }

    void stop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
        httpThreads.shutdownNow();
    }
}
