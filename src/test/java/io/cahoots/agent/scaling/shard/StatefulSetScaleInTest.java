package io.cahoots.agent.scaling.shard;

import io.cahoots.agent.cluster.ClusterCheck;
import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeMetrics;
import io.cahoots.agent.cluster.RecentLatency;
import io.cahoots.agent.cluster.Role;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.scaling.shard.StatefulSetScaleIn.Member;
import io.cahoots.agent.scaling.shard.StatefulSetScaleIn.Plan;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which shard the StatefulSet's two highest ordinals take out, for each pair of roles they can hold. The base cluster
 * is 4 masters (ordinals 0-3, node i) with one replica each (ordinals 4-7, replica 4+i of master i): the
 * default layout, whose highest ordinals are two replicas; each test rearranges it.
 */
class StatefulSetScaleInTest {

    static final long MIB = 1024 * 1024;

    static String id(int i) {
        return String.format("%040x", 0xB000 + i);
    }

    static NodeMetrics metrics(long used, boolean linkUp) {
        return new NodeMetrics(used, 100 * MIB, "noeviction", 1, 10, 0, 0, 10, 0, 0, linkUp, 0, 0, Map.of(), "7.0.15", 10, false);
    }

    static ClusterNode master(int i, long usedMiB, List<SlotRange> slots) {
        return new ClusterNode(id(i), Optional.of(new HostPort("10.0.0." + (i + 1), 6379)), 16379, Optional.empty(), Optional.empty(),
                Role.MASTER, Optional.empty(), slots, Set.of(), true, i, Map.of(), Map.of(), Health.OK,
                Optional.of(metrics(usedMiB * MIB, true)), 0, Optional.empty());
    }

    static ClusterNode replica(int i, int master) {
        return new ClusterNode(id(i), Optional.of(new HostPort("10.0.0." + (i + 1), 6379)), 16379, Optional.empty(), Optional.empty(),
                Role.REPLICA, Optional.of(id(master)), List.of(), Set.of(), true, i, Map.of(), Map.of(), Health.OK,
                Optional.of(metrics(MIB, true)), 0, Optional.empty());
    }

    static ClusterSnapshot snapshot(List<ClusterNode> nodes) {
        return new ClusterSnapshot(3, Instant.EPOCH, Duration.ZERO, "ok", nodes, ClusterCheck.check(List.of(), nodes), "k");
    }

    static List<SlotRange> quarter(int q) {
        return List.of(new SlotRange(q * 4096, q * 4096 + 4095));
    }

    /** Node i runs in pod {@code redis-cluster-<ordinal of i>}. */
    static List<Member> members(List<ClusterNode> nodes, Map<Integer, Integer> ordinalOfNode) {
        List<Member> out = new ArrayList<>();
        ordinalOfNode.forEach((node, ordinal) -> out.add(new Member(id(node), "redis-cluster-" + ordinal, ordinal)));
        return out;
    }

    /** Masters 0-3 with {@code usedMiB[i]}, replica 4+i of master i; node i at ordinal i unless {@code swap} says otherwise. */
    static List<ClusterNode> fourByOne(long... usedMiB) {
        List<ClusterNode> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nodes.add(master(i, usedMiB[i], quarter(i)));
        }
        for (int i = 0; i < 4; i++) {
            nodes.add(replica(4 + i, i));
        }
        return nodes;
    }

    static Map<Integer, Integer> identity() {
        Map<Integer, Integer> m = new java.util.HashMap<>();
        for (int i = 0; i < 8; i++) {
            m.put(i, i);
        }
        return m;
    }

    @Test
    void aMasterAndItsOwnReplicaAtTheTopLeaveAsOneShard() {
        // As a StatefulSet scale-out left it: ordinal 6 the new master, ordinal 7 its replica.
        List<ClusterNode> nodes = new ArrayList<>(fourByOne(10, 10, 10, 10));
        Map<Integer, Integer> ordinals = identity();
        ordinals.put(3, 6);   // master 3 at ordinal 6
        ordinals.put(6, 3);   // replica of master 2 at ordinal 3
        // replica 7 (of master 3) at ordinal 7
        Plan p = StatefulSetScaleIn.plan(snapshot(nodes), members(nodes, ordinals), 8);
        assertThat(p.refused()).isEmpty();
        assertThat(p.drain()).contains(id(3));
        assertThat(p.failover()).isEmpty();
        assertThat(p.label()).isEqualTo("redis-cluster-6 (10.0.0.4:6379)");
        assertThat(p.note()).contains("redis-cluster-6 and its replica redis-cluster-7 leave as one shard");
    }

    @Test
    void aMasterBesideAnotherMastersReplicaNeedsNoFailover() {
        List<ClusterNode> nodes = new ArrayList<>(fourByOne(10, 10, 10, 10));
        Map<Integer, Integer> ordinals = identity();
        ordinals.put(3, 7);   // master 3 at ordinal 7
        ordinals.put(7, 3);   // its replica at ordinal 3 (stays)
        // ordinal 6: replica 6, of master 2
        Plan p = StatefulSetScaleIn.plan(snapshot(nodes), members(nodes, ordinals), 8);
        assertThat(p.drain()).contains(id(3));
        assertThat(p.failover()).isEmpty();
        assertThat(p.note()).contains("redis-cluster-6, a replica of another master")
                .contains("redis-cluster-7's own replicas are re-pointed first");
        // X = master 2 loses its replica (ordinal 6): master 3's own replica (node 7, staying) goes to it.
        assertThat(StatefulSetScaleIn.repoints(snapshot(nodes), List.of(id(3), id(6)), id(3)))
                .containsExactly(new StatefulSetScaleIn.Repoint(id(7), id(2)));
    }

    @Test
    void twoMastersAtTheTopHandOneRoleToAReplicaFirstAndTheLessFilledIsDrained() {
        List<ClusterNode> nodes = new ArrayList<>(fourByOne(10, 10, 30, 5));
        Map<Integer, Integer> ordinals = identity();
        // masters 2 and 3 at ordinals 6 and 7; their replicas 6 and 7 at ordinals 2 and 3
        ordinals.put(2, 6);
        ordinals.put(3, 7);
        ordinals.put(6, 2);
        ordinals.put(7, 3);
        Plan p = StatefulSetScaleIn.plan(snapshot(nodes), members(nodes, ordinals), 8);
        assertThat(p.drain()).as("master 3 holds 5 MiB, master 2 30 MiB").contains(id(3));
        assertThat(p.failover()).as("master 2's replica takes over").contains(id(6));
        assertThat(p.note()).contains("are both masters").contains("redis-cluster-2 takes over from redis-cluster-6");
    }

    @Test
    void twoMastersAtTheTopDrainTheOneWhoseTwinHasNoReplicaToHandOver() {
        List<ClusterNode> nodes = new ArrayList<>(fourByOne(10, 10, 30, 5));
        nodes.removeIf(n -> n.id().equals(id(6)));   // master 2 has no replica
        Map<Integer, Integer> ordinals = identity();
        ordinals.remove(6);
        ordinals.put(2, 6);
        ordinals.put(3, 7);
        ordinals.put(7, 2);
        Plan p = StatefulSetScaleIn.plan(snapshot(nodes), members(nodes, ordinals), 8);
        assertThat(p.drain()).as("only master 3 can hand its role over, so master 2 is drained").contains(id(2));
        assertThat(p.failover()).contains(id(7));
    }

    @Test
    void theDrainedMastersStayingReplicasGoToTheMastersLeftWithTheFewestReplicas() {
        // After the failover of the two-replica case: node 7 is the master of 3's data, node 3 its replica, node 6
        // (replica of master 2) leaves with node 7. Node 3 must follow master 2, which loses node 6.
        List<ClusterNode> nodes = new ArrayList<>(fourByOne(10, 10, 20, 8));
        nodes.set(3, replica(3, 7));
        nodes.set(7, master(7, 8, quarter(3)));
        assertThat(StatefulSetScaleIn.repoints(snapshot(nodes), List.of(id(6), id(7)), id(7)))
                .containsExactly(new StatefulSetScaleIn.Repoint(id(3), id(2)));
        // A master and its own replica leave: nothing to re-point.
        List<ClusterNode> pair = fourByOne(10, 10, 10, 10);
        assertThat(StatefulSetScaleIn.repoints(snapshot(pair), List.of(id(3), id(7)), id(3))).isEmpty();
        // Two staying replicas spread over the masters with the fewest (ties: lowest id).
        List<ClusterNode> two = new ArrayList<>(fourByOne(10, 10, 10, 10));
        two.set(6, replica(6, 3));
        assertThat(StatefulSetScaleIn.repoints(snapshot(two), List.of(id(3)), id(3)))
                .containsExactly(new StatefulSetScaleIn.Repoint(id(6), id(2)), new StatefulSetScaleIn.Repoint(id(7), id(0)));
    }

    @Test
    void twoMastersWithoutReplicasAreRefused() {
        List<ClusterNode> nodes = List.of(master(0, 1, quarter(0)), master(1, 1, quarter(1)), master(2, 1, quarter(2)),
                master(3, 1, quarter(3)));
        Plan p = StatefulSetScaleIn.plan(snapshot(nodes), members(nodes, Map.of(0, 0, 1, 1, 2, 2, 3, 3)), 4);
        assertThat(p.refused()).hasValueSatisfying(r -> assertThat(r).contains("two masters out"));
        assertThat(p.drain()).isEmpty();
    }

    @Test
    void twoReplicasAtTheTopPromoteOneAndDrainItsOldMastersData() {
        // The default layout: ordinals 6 and 7 are replicas of masters 2 (20 MiB) and 3 (8 MiB).
        List<ClusterNode> nodes = fourByOne(10, 10, 20, 8);
        Plan p = StatefulSetScaleIn.plan(snapshot(nodes), members(nodes, identity()), 8);
        assertThat(p.failover()).as("the replica of the less filled master takes over").contains(id(7));
        assertThat(p.drain()).as("the data that leaves is master 3's").contains(id(3));
        assertThat(p.label()).isEqualTo("redis-cluster-3 (10.0.0.4:6379)");
        assertThat(p.note()).contains("are both replicas").contains("redis-cluster-7 takes over from its master redis-cluster-3");
    }

    @Test
    void aReplicaWhoseLinkIsDownIsNotPromoted() {
        List<ClusterNode> nodes = new ArrayList<>(fourByOne(10, 10, 20, 8));
        ClusterNode r7 = nodes.get(7);
        nodes.set(7, new ClusterNode(r7.id(), r7.address(), r7.busPort(), r7.hostname(), r7.clientEndpoint(), r7.role(), r7.masterId(),
                r7.slots(), r7.flags(), r7.linkConnected(), r7.configEpoch(), r7.migrating(), r7.importing(), r7.health(),
                Optional.of(metrics(MIB, false)), 0, Optional.empty()));
        Plan p = StatefulSetScaleIn.plan(snapshot(nodes), members(nodes, identity()), 8);
        assertThat(p.failover()).contains(id(6));
        assertThat(p.drain()).contains(id(2));
    }

    @Test
    void leavingPodsThatAreNoMembersAndTooSmallAStatefulSetAreRefused() {
        List<ClusterNode> nodes = fourByOne(10, 10, 10, 10);
        assertThat(StatefulSetScaleIn.plan(snapshot(nodes), members(nodes, identity()), 10).refused())
                .hasValueSatisfying(r -> assertThat(r).contains("ordinals 8 and 9 run no cluster member"));
        assertThat(StatefulSetScaleIn.plan(snapshot(nodes), members(nodes, identity()), 1).refused()).isPresent();
    }

    @Test
    void theSampleChecksTheHeadroomOnTheMasterTheStatefulSetTakesOut() {
        List<ClusterNode> nodes = fourByOne(10, 10, 20, 8);
        ClusterSnapshot s = snapshot(nodes);
        Plan p = StatefulSetScaleIn.plan(s, members(nodes, identity()), 8);
        ShardSample sample = ShardSample.of(s, new RecentLatency(Duration.ofSeconds(1)), false, Set.of(),
                Optional.of(ShardSample.DrainTarget.of(p)));
        assertThat(sample.headroom().drain()).contains(id(3));
        assertThat(sample.headroom().drainedBytes()).isEqualTo(8 * MIB);
        assertThat(sample.headroom().remainingBytes()).isEqualTo(300 * MIB);
        assertThat(sample.headroom().drainAddress()).isEqualTo("redis-cluster-3 (10.0.0.4:6379)");
        assertThat(sample.headroom().note()).contains("are both replicas");

        Plan refused = StatefulSetScaleIn.plan(s, members(nodes, identity()), 10);
        ShardSample none = ShardSample.of(s, new RecentLatency(Duration.ofSeconds(1)), false, Set.of(),
                Optional.of(ShardSample.DrainTarget.of(refused)));
        assertThat(none.headroom().drain()).isEmpty();
        assertThat(none.headroom().unknown()).isEqualTo(refused.refused());
    }
}
