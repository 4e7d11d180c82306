package io.cahoots.agent.observe;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeObservation;
import io.cahoots.agent.cluster.OpenSlot;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.redis.ClusterReader;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.testing.SimulatedCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The observer on a simulated cluster of 1,000 nodes (500 masters x 1 replica, {@link SimulatedCluster}): the view is
 * complete, a poll costs one whole view once the cluster is known, and a change shows in the very next poll.
 * Each test leaves the cluster as it found it (they share one).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeClusterTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private SimulatedCluster sim;
    private RedisConnections connections;
    private ExecutorService executor;
    private final AtomicInteger wholeViews = new AtomicInteger();
    private final AtomicInteger infoReads = new AtomicInteger();
    private ClusterObserver observer;

    @BeforeAll
    void start() {
        sim = SimulatedCluster.start(500, 1);
        connections = new RedisConnections(Credentials.NONE, Credentials.NONE, false, TIMEOUT);
        executor = Executors.newFixedThreadPool(32);
        ClusterReader real = new ClusterReader(connections);
        NodeReader counting = new NodeReader() {
            @Override
            public NodeObservation full(HostPort node, boolean withShards, boolean withInfo) {
                wholeViews.incrementAndGet();
                infoReads.addAndGet(withInfo ? 1 : 0);
                return real.full(node, withShards, withInfo);
            }

            @Override
            public NodeObservation cheap(HostPort node, boolean withShards, boolean withInfo) {
                infoReads.addAndGet(withInfo ? 1 : 0);
                return real.cheap(node, withShards, withInfo);
            }

            @Override
            public NodeObservation view(HostPort node) {
                wholeViews.incrementAndGet();
                return real.view(node);
            }
        };
        observer = new ClusterObserver(List.of(sim.masters().get(0)), counting, TIMEOUT, Duration.ZERO, Clock.systemUTC(), executor);
        // The first polls open 1,000 connections in a cold JVM; start the tests from a settled view.
        ClusterSnapshot first = observer.poll();
        for (int i = 0; i < 10 && !(first.check().ok() && first.nodes().size() == 1000); i++) {
            first = observer.poll();
        }
        assertThat(first.check().ok()).as(first.check().problems().toString()).isTrue();
    }

    @AfterAll
    void stop() {
        connections.close();
        executor.shutdownNow();
        sim.close();
    }

    @Test
    void theViewOfAThousandNodesIsCompleteAndCostsOneWholeViewPerPoll() {
        wholeViews.set(0);
        ClusterSnapshot s = observer.poll();
        assertThat(s.nodes()).hasSize(1000).allMatch(n -> n.health() == Health.OK && n.metrics().isPresent());
        assertThat(s.masters()).hasSize(500);
        assertThat(s.nodes()).extracting(n -> n.address().orElseThrow()).containsExactlyInAnyOrderElementsOf(sim.addresses());
        assertThat(s.check().ok()).as(s.check().problems().toString()).isTrue();
        assertThat(s.check().agree()).isTrue();
        assertThat(s.slotsAssigned()).isEqualTo(SlotRange.SLOT_COUNT);
        assertThat(s.state()).isEqualTo("ok");
        assertThat(s.nodes()).filteredOn(n -> !n.isMaster()).allMatch(n -> n.masterId().isPresent());
        assertThat(s.masters()).allMatch(m -> m.clientEndpoint().isPresent()
                && m.metrics().orElseThrow().keys() == (long) m.slotCount() * SimulatedCluster.KEYS_PER_SLOT);
        assertThat(wholeViews.get()).isEqualTo(1);

        ClusterSnapshot again = observer.poll();
        assertThat(again.version()).isEqualTo(s.version());
        // Unchanged nodes are the very same objects: consecutive snapshots share them.
        assertThat(again.nodes().get(500)).isSameAs(s.nodes().get(500));
    }

    @Test
    void withoutAMetricsIntervalEachPollReadsTheInfoOfAboutAFifthOfAThousandNodes() {
        // 1,000 nodes / 200 per poll: each node every 5 polls, in its own phase; every node keeps its last metrics.
        // A node that was unreachable has no metrics to keep and is read at once, hence the margins.
        int total = 0;
        for (int i = 0; i < 5; i++) {
            infoReads.set(0);
            ClusterSnapshot s = observer.poll();
            assertThat(infoReads.get()).as("INFO reads in poll " + i).isLessThan(450);
            assertThat(s.nodes()).hasSize(1000).allMatch(n -> n.metrics().isPresent() || n.health() != Health.OK);
            total += infoReads.get();
        }
        assertThat(total).as("INFO reads in 5 polls").isBetween(800, 1500);
    }

    @Test
    void aFailoverShowsInTheNextPoll() {
        ClusterSnapshot before = observer.poll();
        HostPort master = sim.masters().get(123);
        ClusterNode old = before.nodeAt(master).orElseThrow();
        HostPort promoted = sim.failover(master);
        try {
            ClusterSnapshot after = observer.poll();
            assertThat(after.version()).isGreaterThan(before.version());
            ClusterNode now = after.nodeAt(promoted).orElseThrow();
            assertThat(now.isMaster()).isTrue();
            assertThat(now.slots()).isEqualTo(old.slots());
            assertThat(after.nodeAt(master).orElseThrow().masterId()).contains(now.id());
            assertThat(after.check().ok()).as(after.check().problems().toString()).isTrue();
        } finally {
            sim.failover(promoted);
        }
        assertThat(observer.poll().nodeAt(master).orElseThrow().isMaster()).isTrue();
    }

    @Test
    void anOpenSlotShowsInTheNextPollOnBothSides() {
        ClusterSnapshot before = observer.poll();
        ClusterNode source = before.nodeAt(sim.masters().get(400)).orElseThrow();
        ClusterNode target = before.nodeAt(sim.masters().get(7)).orElseThrow();
        int slot = source.slots().get(0).start() + 3;
        sim.openSlot(slot, target.address().orElseThrow());
        try {
            ClusterSnapshot open = observer.poll();
            assertThat(open.check().ok()).isFalse();
            assertThat(open.check().openSlots()).containsExactlyInAnyOrder(
                    new OpenSlot(slot, source.id(), OpenSlot.State.MIGRATING, target.id()),
                    new OpenSlot(slot, target.id(), OpenSlot.State.IMPORTING, source.id()));
            assertThat(open.version()).isGreaterThan(before.version());
        } finally {
            sim.closeSlot(slot);
        }
        assertThat(observer.poll().check().ok()).isTrue();
    }

    @Test
    void aNodeThatStopsAnsweringIsUnreachableInTheNextPollWithoutDelayingIt() {
        observer.poll();
        HostPort replica = sim.addresses().get(777);
        sim.stopAnswering(replica, true);
        try {
            for (int i = 0; i < 2; i++) {
                long t0 = System.nanoTime();
                ClusterSnapshot s = observer.poll();
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT.plusMillis(800));
                assertThat(s.nodeAt(replica).orElseThrow().health()).isEqualTo(Health.UNREACHABLE);
                assertThat(s.check().unreachable()).containsExactly(replica);
                assertThat(s.nodes()).hasSize(1000);
            }
        } finally {
            sim.stopAnswering(replica, false);
        }
        // The hung read ends at its timeout; the node is read again once it has.
        ClusterSnapshot back = observer.poll();
        for (int i = 0; i < 5 && !back.check().ok(); i++) {
            back = observer.poll();
        }
        assertThat(back.check().ok()).as(back.check().problems().toString()).isTrue();
    }

    @Test
    void aNodeWhoseViewDiffersIsReadInFullAndItsOpinionCounts() {
        observer.poll();
        HostPort suspicious = sim.addresses().get(900);
        HostPort suspected = sim.masters().get(42);
        sim.suspect(suspicious, suspected, true);
        try {
            wholeViews.set(0);
            ClusterSnapshot s = observer.poll();
            assertThat(s.nodeAt(suspected).orElseThrow().health()).isEqualTo(Health.PFAIL);
            assertThat(s.check().agree()).isTrue();
            assertThat(wholeViews.get()).isEqualTo(2);
        } finally {
            sim.suspect(suspicious, suspected, false);
        }
        assertThat(observer.poll().nodeAt(suspected).orElseThrow().health()).isEqualTo(Health.OK);
    }
}
