package io.cahoots.agent.topology;

import io.cahoots.agent.config.PushSettings;
import io.cahoots.agent.testing.WebhookReceiver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.cahoots.agent.topology.WebhookVerifier.Result.ACCEPTED;
import static io.cahoots.agent.topology.WebhookVerifier.Result.BAD_SIGNATURE;
import static io.cahoots.agent.topology.WebhookVerifier.Result.MISSING_HEADERS;
import static io.cahoots.agent.topology.WebhookVerifier.Result.REPEATED;
import static io.cahoots.agent.topology.WebhookVerifier.Result.TOO_OLD;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Standard Webhooks signature against a real receiver on loopback, checked with the documented receiver steps
 * ({@link WebhookVerifier}): a captured delivery cannot be replayed, an old one is refused, and a key rotation with
 * two secrets loses no delivery.
 */
class WebhookReplayTest {

    static final Duration TOLERANCE = Duration.ofMinutes(5);
    final WebhookReceiver receiver;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    WebhookReplayTest() throws IOException {
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void close() {
        receiver.close();
    }

    WebhookDispatcher agentWithSecret(String secret) {
        PushSettings s = new PushSettings(List.of(receiver.uri("/hook")), Optional.of(secret.getBytes(StandardCharsets.UTF_8)),
                "test:topology", Duration.ZERO, Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofMillis(200),
                Duration.ofMinutes(1));
        return new WebhookDispatcher(s, new PushMetrics(registry));
    }

    static WebhookVerifier.Result check(WebhookVerifier v, WebhookReceiver.Delivery d) {
        return v.verify(d.header(Signatures.ID), d.header(Signatures.TIMESTAMP), d.header(Signatures.SIGNATURE), d.body());
    }

    WebhookReceiver.Delivery deliver(WebhookDispatcher agent, long version) {
        agent.offer(PushTesting.view(version));
        return receiver.await(x -> x.header("X-Agent-Topology-Version").equals(Long.toString(version)), Duration.ofSeconds(5));
    }

    @Test
    void aReplayedDeliveryAndAnOldOneAreRefused() {
        WebhookDispatcher agent = agentWithSecret("the-secret-0123456789");
        WebhookVerifier receiverCheck = new WebhookVerifier(List.of(Signatures.key("the-secret-0123456789")), TOLERANCE, Clock.systemUTC());
        WebhookReceiver.Delivery d = deliver(agent, 1);

        assertThat(d.header(Signatures.ID)).startsWith("msg_");
        assertThat(d.header(Signatures.SIGNATURE)).matches("v1,[A-Za-z0-9+/=]{44}");
        assertThat(d.header(Signatures.HEADER)).as("the legacy header stays").startsWith("sha256=");
        assertThat(check(receiverCheck, d)).isEqualTo(ACCEPTED);
        assertThat(check(receiverCheck, d)).as("the same capture sent again").isEqualTo(REPEATED);

        // The capture replayed later, to a receiver that restarted (and so forgot the ids it saw): refused by age.
        WebhookVerifier later = new WebhookVerifier(List.of(Signatures.key("the-secret-0123456789")), TOLERANCE,
                Clock.offset(Clock.systemUTC(), TOLERANCE.plusSeconds(1)));
        assertThat(check(later, d)).isEqualTo(TOO_OLD);
        // Moving the timestamp forward breaks the signature: id, timestamp and body are signed together.
        WebhookVerifier fresh = new WebhookVerifier(List.of(Signatures.key("the-secret-0123456789")), TOLERANCE, Clock.systemUTC());
        String newer = Long.toString(Long.parseLong(d.header(Signatures.TIMESTAMP)) + 1);
        assertThat(fresh.verify(d.header(Signatures.ID), newer, d.header(Signatures.SIGNATURE), d.body())).isEqualTo(BAD_SIGNATURE);
        assertThat(fresh.verify("msg_other", d.header(Signatures.TIMESTAMP), d.header(Signatures.SIGNATURE), d.body())).isEqualTo(BAD_SIGNATURE);
        assertThat(fresh.verify(d.header(Signatures.ID), d.header(Signatures.TIMESTAMP), d.header(Signatures.SIGNATURE),
                "{\"version\":999}".getBytes())).isEqualTo(BAD_SIGNATURE);
        assertThat(fresh.verify(null, d.header(Signatures.TIMESTAMP), d.header(Signatures.SIGNATURE), d.body())).isEqualTo(MISSING_HEADERS);
        // The next view is a new message: accepted.
        assertThat(check(receiverCheck, deliver(agent, 2))).isEqualTo(ACCEPTED);
    }

    /**
     * The rotation runbook of docs/sentinel-and-push.md, step by step, one view per step awaited: (1) agent and
     * receiver on the old key; (2) the agent signs with new and old; (3) the receiver moves to the new key only;
     * (4) the agent drops the old key. Every view is delivered once and accepted.
     */
    @Test
    void rotatingTheSecretLosesNoDelivery() {
        String oldKey = "old-secret-0123456789";
        String newKey = "whsec_" + java.util.Base64.getEncoder().encodeToString("new-secret-bytes-0123456789".getBytes());
        WebhookVerifier onOld = new WebhookVerifier(List.of(Signatures.key(oldKey)), TOLERANCE, Clock.systemUTC());
        WebhookVerifier onNew = new WebhookVerifier(List.of(Signatures.key(newKey)), TOLERANCE, Clock.systemUTC());
        List<WebhookVerifier.Result> results = new ArrayList<>();
        long version = 0;

        WebhookDispatcher agent = agentWithSecret(oldKey);
        for (int i = 0; i < 5; i++) {
            results.add(check(onOld, deliver(agent, ++version)));
        }
        agent = agentWithSecret(newKey + "," + oldKey); // the agent restarted with both secrets
        for (int i = 0; i < 5; i++) {
            WebhookReceiver.Delivery d = deliver(agent, ++version);
            assertThat(d.header(Signatures.SIGNATURE).split(" ")).as("one signature per secret").hasSize(2);
            results.add(check(onOld, d));
        }
        for (int i = 0; i < 5; i++) { // the receiver now knows only the new key
            results.add(check(onNew, deliver(agent, ++version)));
        }
        agent = agentWithSecret(newKey); // the old secret is gone
        for (int i = 0; i < 5; i++) {
            WebhookReceiver.Delivery d = deliver(agent, ++version);
            results.add(check(onNew, d));
            assertThat(check(new WebhookVerifier(List.of(Signatures.key(oldKey)), TOLERANCE, Clock.systemUTC()), d))
                    .as("the retired key no longer verifies").isEqualTo(BAD_SIGNATURE);
        }
        assertThat(results).hasSize(20).containsOnly(ACCEPTED);
        assertThat(receiver.deliveries()).extracting(x -> x.header("X-Agent-Topology-Version")).doesNotHaveDuplicates().hasSize(20);
    }
}
