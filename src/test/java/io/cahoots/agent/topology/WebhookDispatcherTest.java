package io.cahoots.agent.topology;

import io.cahoots.agent.testing.WebhookReceiver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Webhook delivery against a real HTTP receiver on loopback. */
class WebhookDispatcherTest {

    final WebhookReceiver receiver;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    WebhookDispatcherTest() throws IOException {
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void close() {
        receiver.close();
    }

    WebhookDispatcher dispatcher(List<URI> urls, Duration backoffMax, Duration retryFor) {
        return new WebhookDispatcher(PushTesting.settings(urls, Duration.ofSeconds(15), Duration.ofMillis(500), backoffMax,
                retryFor), new PushMetrics(registry));
    }

    @Test
    void viewsArriveInOrderSignedAndTheReceiverEndsOnTheNewest() {
        WebhookDispatcher d = dispatcher(List.of(receiver.uri("/hook")), Duration.ofMillis(200), Duration.ofMinutes(1));
        receiver.delay(Duration.ofMillis(30)); // a receiver slower than the changes
        for (long v = 1; v <= 20; v++) {
            d.offer(PushTesting.view(v));
        }
        receiver.await(x -> x.header("X-Agent-Topology-Version").equals("20"), Duration.ofSeconds(5));
        List<WebhookReceiver.Delivery> got = receiver.deliveries();
        assertThat(got).extracting(x -> Long.parseLong(x.header("X-Agent-Topology-Version"))).isSorted().doesNotHaveDuplicates()
                .startsWith(1L).endsWith(20L);
        assertThat(got.size()).as("older views were replaced while the receiver was busy").isLessThan(20);
        for (WebhookReceiver.Delivery x : got) {
            assertThat(Signatures.verify(PushTesting.SECRET, x.body(), x.header(Signatures.HEADER))).isTrue();
            assertThat(x.header("Content-Type")).isEqualTo("application/json");
        }
        assertThat(Signatures.verify("wrong".getBytes(), got.get(0).body(), got.get(0).header(Signatures.HEADER))).isFalse();
    }

    @Test
    void aReceiverThatWasDownGetsTheNewestViewWhenItReturns() throws Exception {
        WebhookDispatcher d = dispatcher(List.of(receiver.uri("/hook")), Duration.ofMillis(200), Duration.ofMinutes(1));
        receiver.stop();
        for (long v = 1; v <= 5; v++) {
            d.offer(PushTesting.view(v));
            Thread.sleep(50); // pacing: each view replaces the previous one while the receiver is down
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                registry.find("cahoots.push.webhook.attempts").tag("outcome", "failed").counter())
                .as("a failed attempt against the absent receiver").isNotNull()
                .satisfies(c -> assertThat(c.count()).isPositive()));
        receiver.restart();
        receiver.await(x -> x.header("X-Agent-Topology-Version").equals("5"), Duration.ofSeconds(3));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(receiver.deliveries()).extracting(x -> x.header("X-Agent-Topology-Version")).containsExactly("5"));
    }

    @Test
    void anErrorStatusIsRetried() {
        WebhookDispatcher d = dispatcher(List.of(receiver.uri("/hook")), Duration.ofMillis(100), Duration.ofMinutes(1));
        receiver.respondWith(503);
        d.offer(PushTesting.view(1));
        receiver.await(x -> true, Duration.ofSeconds(3));
        receiver.respondWith(204);
        int failedAttempts = receiver.deliveries().size();
        receiver.await(x -> receiver.deliveries().size() > failedAttempts, Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(registry.find("cahoots.push.webhook.attempts").tag("outcome", "delivered").counter())
                        .isNotNull().satisfies(c -> assertThat(c.count()).isEqualTo(1.0)));
        assertThat(registry.find("cahoots.push.webhook.attempts").tag("outcome", "failed").counter().count()).isPositive();
    }

    @Test
    void anUnreachableOrHungEndpointNeverDelaysAnother() throws Exception {
        try (ServerSocket hung = new ServerSocket()) {
            hung.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50); // accepts, never answers
            ServerSocket gone = new ServerSocket(0);
            int refused = gone.getLocalPort();
            gone.close();
            WebhookDispatcher d = dispatcher(List.of(URI.create("http://127.0.0.1:" + hung.getLocalPort() + "/h"),
                    URI.create("http://127.0.0.1:" + refused + "/h"), receiver.uri("/hook")), Duration.ofMillis(100), Duration.ofMinutes(1));
            for (long v = 1; v <= 3; v++) {
                long t0 = System.nanoTime();
                d.offer(PushTesting.view(v));
                String version = Long.toString(v);
                WebhookReceiver.Delivery got = receiver.await(x -> x.header("X-Agent-Topology-Version").equals(version),
                        Duration.ofSeconds(2));
                assertThat(Duration.ofNanos(got.arrivedNanos() - t0)).isLessThan(Duration.ofMillis(300));
            }
        }
    }

    @Test
    void aViewIsDroppedOnceItsRetryBudgetIsSpentAndTheNextOneStartsAfresh() throws Exception {
        WebhookDispatcher d = dispatcher(List.of(receiver.uri("/hook")), Duration.ofMillis(100), Duration.ofSeconds(1));
        receiver.respondWith(500);
        d.offer(PushTesting.view(1));
        // The counter exists at 0 from the start (so that increase() sees the first drop): wait for its first count.
        await("dropped within the budget").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() ->
                registry.get("cahoots.push.webhook.attempts").tag("outcome", "dropped").counter().count() > 0);
        int attempts = receiver.deliveries().size();
        assertThat(attempts).isBetween(3, 20);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(receiver.deliveries()).as("no retries after the drop").hasSize(attempts));
        receiver.respondWith(204);
        d.offer(PushTesting.view(2));
        receiver.await(x -> x.header("X-Agent-Topology-Version").equals("2"), Duration.ofSeconds(2));
    }
}
