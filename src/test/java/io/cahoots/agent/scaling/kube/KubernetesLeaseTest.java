package io.cahoots.agent.scaling.kube;

import io.cahoots.agent.scaling.MockKubernetes;
import io.cahoots.agent.scaling.MutableClock;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Two agent replicas electing a leader over a Lease in the CRUD mock API server, each with its own clock. */
class KubernetesLeaseTest {

    static final Duration DURATION = Duration.ofSeconds(15);
    static final Duration TICK = Duration.ofSeconds(5);

    MockKubernetes kube;
    MutableClock clockA = new MutableClock(Instant.parse("2026-01-05T10:00:00Z"));
    // B's clock is an hour behind A's: the election must not care.
    MutableClock clockB = new MutableClock(Instant.parse("2026-01-05T09:00:00Z"));
    KubernetesLease a;
    KubernetesLease b;

    @BeforeEach
    void start() {
        kube = new MockKubernetes();
        a = new KubernetesLease(kube.client(), "shop", "cahoots-scaling-api", "agent-a", DURATION, clockA);
        b = new KubernetesLease(kube.client(), "shop", "cahoots-scaling-api", "agent-b", DURATION, clockB);
    }

    @AfterEach
    void stop() {
        kube.close();
    }

    void tick() {
        clockA.advance(TICK);
        clockB.advance(TICK);
    }

    Lease lease() {
        return kube.client().leases().inNamespace("shop").withName("cahoots-scaling-api").get();
    }

    @Test
    void exactlyOneLeadsWhileItRenews() {
        assertThat(a.lead()).isTrue();
        assertThat(b.lead()).isFalse();
        assertThat(b.holder()).contains("agent-a");
        for (int i = 0; i < 10; i++) { // 50s, over three lease durations
            tick();
            assertThat(a.lead()).isTrue();
            assertThat(b.lead()).isFalse();
        }
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("agent-a");
        assertThat(lease().getSpec().getLeaseDurationSeconds()).isEqualTo(15);
        assertThat(lease().getSpec().getRenewTime().toInstant()).isEqualTo(clockA.instant());
    }

    @Test
    void aSilentLeaderIsReplacedOnlyAfterAFullLeaseDurationOfSilence() {
        assertThat(a.lead()).isTrue();
        assertThat(b.lead()).isFalse(); // B first sees A's record now
        // A stops renewing (crashed, partitioned). B waits the whole duration by its own clock.
        for (int i = 0; i < 2; i++) {
            tick();
            assertThat(b.lead()).isFalse();
        }
        tick(); // 15s of silence
        assertThat(b.lead()).isTrue();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("agent-b");
        assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(1);
        // A comes back: it must notice it lost the lease, not go on acting.
        assertThat(a.lead()).isFalse();
        assertThat(a.holder()).contains("agent-b");
    }

    @Test
    void aReleasedLeaseIsTakenOverAtOnce() {
        assertThat(a.lead()).isTrue();
        assertThat(b.lead()).isFalse();
        a.release();
        assertThat(b.lead()).isTrue();
        assertThat(a.lead()).isFalse();
    }

    @Test
    void aLeaderThatCannotRenewStopsActingBeforeAnyoneCanTakeOver() {
        KubernetesLease bounded = new KubernetesLease(KubernetesConnector.bounded(kube.client()), "shop", "cahoots-scaling-api",
                "agent-a", DURATION, clockA);
        assertThat(bounded.lead()).isTrue();
        kube.server().destroy(); // the API server is gone
        clockA.advance(Duration.ofSeconds(9));
        long started = System.nanoTime();
        assertThat(bounded.lead()).isTrue(); // within the renew deadline (10s of 15s)
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5)); // bounded retries
        clockA.advance(Duration.ofSeconds(2));
        assertThat(bounded.lead()).isFalse();
    }
}
