package io.cahoots.agent.observe;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterNodesParser;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.NodeObservation;
import io.cahoots.agent.cluster.OpenSlot;
import io.cahoots.agent.cluster.ViewDigest;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.redis.ClusterReader;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.lab.LabNode;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.RedisCli;
import io.cahoots.agent.testing.SharedLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The observer against real redis-server processes, compared with what redis-cli reports. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterObserverIT {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private RedisLab lab;
    private RedisConnections connections;
    private ExecutorService executor;

    @BeforeAll
    void start() {
        lab = SharedLab.get();
        connections = new RedisConnections(Credentials.NONE, Credentials.NONE, false, TIMEOUT);
        executor = Executors.newFixedThreadPool(16);
    }

    @AfterAll
    void stop() {
        connections.close();
        executor.shutdownNow();
    }

    private ClusterObserver observer(RedisConnections c, List<HostPort> seeds) {
        return new ClusterObserver(seeds, NodeReader.of(new ClusterReader(c)), TIMEOUT, Duration.ZERO, Clock.systemUTC(), executor);
    }

    @Test
    void theScriptsDigestIsTheAgentsDigestOfTheSameViewOnEveryNode() {
        ClusterReader reader = new ClusterReader(connections);
        for (HostPort a : lab.clusterNodes()) {
            NodeObservation cheap = reader.cheap(a, false, false);
            assertThat(cheap.ownLine()).as("%s answered the script", a).isPresent();
            String raw = RedisCli.run(a, "cluster", "nodes");
            assertThat(cheap.viewDigest()).contains(ViewDigest.of(raw));
            assertThat(cheap.ownLine().orElseThrow().address()).contains(a);
        }
    }

    @Test
    void onceTheClusterIsKnownOneNodePerPollSendsItsWholeView() {
        AtomicInteger views = new AtomicInteger();
        ClusterReader real = new ClusterReader(connections);
        NodeReader counting = new NodeReader() {
            @Override
            public NodeObservation full(HostPort node, boolean withShards, boolean withInfo) {
                views.incrementAndGet();
                return real.full(node, withShards, withInfo);
            }

            @Override
            public NodeObservation cheap(HostPort node, boolean withShards, boolean withInfo) {
                return real.cheap(node, withShards, withInfo);
            }

            @Override
            public NodeObservation view(HostPort node) {
                views.incrementAndGet();
                return real.view(node);
            }
        };
        ClusterObserver observer = new ClusterObserver(List.of(lab.masters().get(0)), counting, TIMEOUT, Duration.ZERO,
                Clock.systemUTC(), executor);
        ClusterSnapshot first = observer.poll();
        assertThat(first.check().ok()).as(first.check().problems().toString()).isTrue();
        // Nodes may disagree for a moment (a ping in flight changes nothing, but a pfail would); most polls cost one.
        int polls = 10;
        views.set(0);
        for (int i = 0; i < polls; i++) {
            ClusterSnapshot s = observer.poll();
            assertThat(s.nodes()).hasSize(6).allMatch(n -> n.metrics().isPresent());
            assertThat(s.check().ok()).as(s.check().problems().toString()).isTrue();
        }
        assertThat(views.get()).isLessThanOrEqualTo(polls + 2);
    }

    @Test
    void oneSeedRevealsTheWholeClusterAsRedisCliSeesIt() {
        ClusterSnapshot s = observer(connections, List.of(lab.masters().get(0))).poll();

        List<NodeEntry> reference = ClusterNodesParser.parse(RedisCli.run(lab.masters().get(1), "cluster", "nodes"));
        assertThat(s.nodes()).extracting(ClusterNode::id)
                .containsExactlyInAnyOrderElementsOf(reference.stream().map(NodeEntry::id).toList());
        Map<String, String> slotsByIdCli = reference.stream().filter(NodeEntry::master)
                .collect(Collectors.toMap(NodeEntry::id, e -> e.slots().toString()));
        Map<String, String> slotsById = s.masters().stream().collect(Collectors.toMap(ClusterNode::id, n -> n.slots().toString()));
        assertThat(slotsById).isEqualTo(slotsByIdCli);
        assertThat(s.masters()).hasSize(3);
        assertThat(s.nodes()).hasSize(6).allMatch(n -> n.health() == Health.OK && n.metrics().isPresent());
        assertThat(s.state()).isEqualTo("ok");
        assertThat(s.check().ok()).as(s.check().problems().toString()).isTrue();
        assertThat(s.slotsAssigned()).isEqualTo(16384);
        // The spare node is not a member, so it is not discovered.
        assertThat(s.nodeAt(lab.spareNodes().get(0))).isEmpty();
        String infoKeys = RedisCli.run(s.masters().get(0).address().orElseThrow(), "dbsize").trim();
        assertThat(s.masters().get(0).metrics().orElseThrow().keys()).isEqualTo(Long.parseLong(infoKeys));
    }

    @Test
    void aSlotOpenedByHandAppearsInTheCheckAndGoesWhenClosed() {
        ClusterObserver observer = observer(connections, lab.masters());
        ClusterSnapshot before = observer.poll();
        ClusterNode source = before.masters().get(0);
        ClusterNode target = before.masters().get(1);
        int slot = source.slots().get(0).start();
        HostPort src = source.address().orElseThrow();
        HostPort dst = target.address().orElseThrow();
        try {
            RedisCli.run(dst, "cluster", "setslot", Integer.toString(slot), "importing", source.id());
            RedisCli.run(src, "cluster", "setslot", Integer.toString(slot), "migrating", target.id());
            ClusterSnapshot open = observer.poll();
            assertThat(open.check().ok()).isFalse();
            assertThat(open.check().openSlots()).containsExactlyInAnyOrder(
                    new OpenSlot(slot, source.id(), OpenSlot.State.MIGRATING, target.id()),
                    new OpenSlot(slot, target.id(), OpenSlot.State.IMPORTING, source.id()));
            assertThat(open.version()).isGreaterThan(before.version());
        } finally {
            RedisCli.run(src, "cluster", "setslot", Integer.toString(slot), "stable");
            RedisCli.run(dst, "cluster", "setslot", Integer.toString(slot), "stable");
        }
        ClusterSnapshot closed = observer.poll();
        assertThat(closed.check().openSlots()).isEmpty();
        assertThat(closed.check().ok()).isTrue();
    }

    @Test
    void aKilledReplicaIsReportedAndComesBack() {
        ClusterObserver observer = observer(connections, lab.masters());
        HostPort replica = lab.replicas().get(0);
        LabNode node = lab.node(replica);
        node.kill();
        try {
            ClusterSnapshot s = observer.poll();
            ClusterNode seen = s.nodeAt(replica).orElseThrow();
            assertThat(seen.health()).isIn(Health.UNREACHABLE, Health.FAIL);
            assertThat(seen.error()).isPresent();
            assertThat(s.check().unreachable()).contains(replica);
            assertThat(s.check().ok()).isFalse();
            // The cluster agrees on the failure within a few node timeouts.
            // The cluster agrees on the failure after the node timeout (5 s in the shared lab) and some gossip.
            await().atMost(Duration.ofSeconds(40)).until(() -> observer.poll().nodeAt(replica).orElseThrow().health() == Health.FAIL);
        } finally {
            node.restart();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> observer.poll().check().ok());
    }

    @Test
    void aStoppedNodeDoesNotDelayThePollBeyondItsTimeout() {
        ClusterObserver observer = observer(connections, lab.masters());
        observer.poll();
        HostPort replica = lab.replicas().get(1);
        LabNode node = lab.node(replica);
        node.pause();
        try {
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                ClusterSnapshot s = observer.poll();
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(took).as("poll %d with a SIGSTOPped node", i).isLessThan(TIMEOUT.plusMillis(400));
                assertThat(s.nodeAt(replica).orElseThrow().health()).isIn(Health.UNREACHABLE, Health.PFAIL, Health.FAIL);
                assertThat(s.check().unreachable()).contains(replica);
                assertThat(s.masters()).allMatch(m -> m.metrics().isPresent());
            }
        } finally {
            node.resume();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> observer.poll().check().ok());
    }

    @Test
    void aPasswordProtectedClusterIsReadWithTheRightCredentialsOnly() {
        try (RedisLab secured = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(0)
                .password("s3cret-pass").aclUser("agent").build())) {
            try (RedisConnections right = new RedisConnections(
                    new Credentials(Optional.of("agent"), Optional.of("s3cret-pass")), Credentials.NONE, false, TIMEOUT);
                 RedisConnections wrong = new RedisConnections(
                         new Credentials(Optional.of("agent"), Optional.of("nope")), Credentials.NONE, false, TIMEOUT)) {
                ClusterSnapshot ok = observer(right, secured.masters()).poll();
                assertThat(ok.check().ok()).as(ok.check().problems().toString()).isTrue();
                assertThat(ok.nodes()).hasSize(3);

                ClusterSnapshot refused = observer(wrong, secured.masters()).poll();
                assertThat(refused.anyReachable()).isFalse();
                assertThat(refused.check().unreachable()).hasSize(3);
                assertThat(refused.check().problems()).allMatch(p -> p.contains("authentication failed"));
            }
        }
    }
}
