package io.cahoots.agent.pods;

import io.cahoots.agent.cluster.ClusterCheck;
import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.NodeFlag;
import io.cahoots.agent.cluster.NodeMetrics;
import io.cahoots.agent.cluster.Role;
import io.cahoots.agent.cluster.SlotRange;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** Named pods, nodes and views for the pods tests. */
final class PodsFixtures {

    private PodsFixtures() {
    }

    static String id(int i) {
        return String.format("%040x", 0xA000 + i);
    }

    static HostPort at(String host) {
        return new HostPort(host, 6379);
    }

    static RedisPod pod(int ordinal, String ip, String kubeNode) {
        return new RedisPod("redis-cluster-" + ordinal, Optional.ofNullable(ip).map(PodsFixtures::at), OptionalInt.of(ordinal),
                Optional.ofNullable(kubeNode), true, false);
    }

    static final NodeMetrics METRICS = new NodeMetrics(1000, 0, "noeviction", 1, 0, 0, 0, 10, 0, 0, true, 0, 0, Map.of(),
            "7.0.15", 10, false);

    static ClusterNode master(int i, String ip, List<SlotRange> slots) {
        return new ClusterNode(id(i), Optional.of(at(ip)), 16379, Optional.empty(), Optional.empty(), Role.MASTER, Optional.empty(),
                slots, Set.of(), true, i, Map.of(), Map.of(), Health.OK, Optional.of(METRICS), 0, Optional.empty());
    }

    static ClusterNode replica(int i, String ip, int master) {
        return new ClusterNode(id(i), Optional.of(at(ip)), 16379, Optional.empty(), Optional.empty(), Role.REPLICA, Optional.of(id(master)),
                List.of(), Set.of(), true, i, Map.of(), Map.of(), Health.OK, Optional.of(METRICS), 0, Optional.empty());
    }

    static ClusterSnapshot snapshot(List<ClusterNode> nodes) {
        return new ClusterSnapshot(3, Instant.EPOCH, Duration.ZERO, "ok", nodes, ClusterCheck.check(List.of(), nodes), "k");
    }

    /** 3 masters on 10.0.0.1-3 (ordinals 0-2), their replicas on 10.0.0.4-6 (ordinals 3-5), replica i+3 of master i. */
    static ClusterSnapshot threeByOne() {
        return snapshot(List.of(master(0, "10.0.0.1", List.of(new SlotRange(0, 5460))),
                master(1, "10.0.0.2", List.of(new SlotRange(5461, 10922))),
                master(2, "10.0.0.3", List.of(new SlotRange(10923, 16383))),
                replica(3, "10.0.0.4", 0), replica(4, "10.0.0.5", 1), replica(5, "10.0.0.6", 2)));
    }

    /** One line of a CLUSTER NODES view: node {@code i} seen at {@code ip}. */
    static NodeEntry entry(int i, String ip, boolean myself, boolean connected, NodeFlag... flags) {
        Set<NodeFlag> f = EnumSet.of(NodeFlag.MASTER);
        f.addAll(List.of(flags));
        if (myself) {
            f.add(NodeFlag.MYSELF);
        }
        return new NodeEntry(id(i), Optional.of(at(ip)), 16379 + i, Optional.empty(), f, Optional.empty(), 0, 0, 1, connected,
                List.of(), Map.of(), Map.of());
    }
}
