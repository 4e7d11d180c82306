package io.cahoots.agent.topology;

import io.cahoots.agent.cluster.CheckReport;
import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeMetrics;
import io.cahoots.agent.cluster.Role;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.cluster.SnapshotAssembler;
import io.cahoots.agent.cluster.Topologies;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ViewBuilderTest {

    static ClusterSnapshot snapshot(Topologies t) {
        return SnapshotAssembler.assemble(Optional.empty(), t.observations(), Instant.EPOCH, Duration.ZERO);
    }

    @Test
    void oneShardPerMasterInSlotOrderWithItsReplicas() {
        List<TopologyView.Shard> shards = ViewBuilder.shards(snapshot(Topologies.threeMastersThreeReplicas()));
        assertThat(shards).extracting(TopologyView.Shard::slots).containsExactly(
                List.of(List.of(0, 5461)), List.of(List.of(5462, 10922)), List.of(List.of(10923, 16383)));
        assertThat(shards).extracting(TopologyView.Shard::master)
                .containsExactly("127.0.0.1:30000", "127.0.0.1:30001", "127.0.0.1:30002");
        assertThat(shards).extracting(TopologyView.Shard::replicas).containsExactly(
                List.of("127.0.0.1:30003"), List.of("127.0.0.1:30004"), List.of("127.0.0.1:30005"));
    }

    @Test
    void anEmptyHealthyMasterIsAShardWithoutSlotsListedLast() {
        List<TopologyView.Shard> shards = ViewBuilder.shards(snapshot(Topologies.threeMastersOneEmpty()));
        assertThat(shards).hasSize(4);
        assertThat(shards.get(3).slots()).isEmpty();
        assertThat(shards.get(3).master()).isEqualTo("127.0.0.1:30003");
    }

    @Test
    void aFailedMasterKeepsItsSlotsUntilAReplicaTakesThemAndItsFailedReplicaIsDropped() {
        List<TopologyView.Shard> shards = ViewBuilder.shards(snapshot(Topologies.threeMastersThreeReplicas().failed(0).failed(4)));
        assertThat(shards.get(0).master()).isEqualTo("127.0.0.1:30000");
        assertThat(shards.get(1).replicas()).isEmpty();
    }

    @Test
    void afterAFailoverThePromotedReplicaOwnsTheSlotsAndTheOldMasterDisappears() {
        // For a moment a peer may still show the old master with its slots: the higher config epoch wins.
        ClusterSnapshot s = snapshotOf(
                node("a", 7000, Role.MASTER, null, List.of(new SlotRange(0, 16383)), 1, Health.FAIL),
                node("b", 7001, Role.MASTER, null, List.of(new SlotRange(0, 16383)), 2, Health.OK),
                node("c", 7002, Role.REPLICA, "b", List.of(), 2, Health.OK));
        assertThat(ViewBuilder.shards(s)).containsExactly(
                new TopologyView.Shard(List.of(List.of(0, 16383)), "127.0.0.1:7001", List.of("127.0.0.1:7002")));
    }

    @Test
    void theAnnouncedEndpointIsWhatClientsDial() {
        ClusterNode n = node("a", 7000, Role.MASTER, null, List.of(new SlotRange(0, 16383)), 1, Health.OK);
        ClusterNode announced = new ClusterNode(n.id(), n.address(), n.busPort(), Optional.of("redis-0"), Optional.of("redis-0.redis:6379"),
                n.role(), n.masterId(), n.slots(), n.flags(), true, 1, Map.of(), Map.of(), Health.OK, n.metrics(), 0, Optional.empty());
        assertThat(ViewBuilder.shards(snapshotOf(announced)).get(0).master()).isEqualTo("redis-0.redis:6379");
    }

    static ClusterNode node(String id, int port, Role role, String master, List<SlotRange> slots, long epoch, Health health) {
        return new ClusterNode(id, Optional.of(new HostPort("127.0.0.1", port)), port + 10000, Optional.empty(), Optional.empty(), role,
                Optional.ofNullable(master), slots, Set.of(), true, epoch, Map.of(), Map.of(), health,
                Optional.<NodeMetrics>empty(), 0, Optional.empty());
    }

    static ClusterSnapshot snapshotOf(ClusterNode... nodes) {
        CheckReport ok = new CheckReport(true, true, List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
        return new ClusterSnapshot(1, Instant.EPOCH, Duration.ZERO, "ok", List.of(nodes), ok, "key");
    }
}
