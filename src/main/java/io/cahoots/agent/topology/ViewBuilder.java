package io.cahoots.agent.topology;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.sentinel.SentinelView;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns the observers' models into the parts of a {@link TopologyView}. Pure.
 *
 * <ol>
 *   <li>Each slot goes to one master: when two claim it (for a moment after a failover, a peer may still show the old
 *       master with its slots), the higher config epoch wins, as in Redis Cluster itself.</li>
 *   <li>One shard per master that owns slots, plus masters without slots that are healthy (a freshly added node);
 *       a failed or unreachable master without slots -- the old master after a failover -- is left out, since no
 *       client should ever connect to it.</li>
 *   <li>A shard's replicas are its replicas that the cluster has not marked failed or is still handshaking with.</li>
 *   <li>Addresses are what clients should dial: the endpoint {@code CLUSTER SHARDS} announces when there is one,
 *       else {@code ip:port}.</li>
 *   <li>Shards are sorted by first slot, empty ones last by address; replicas by address: equal topologies give
 *       equal views, so an unchanged cluster never produces a new version.</li>
 *   <li>A Sentinel group is its believed master and its usable replicas ({@link SentinelView.MasterState#usableReplicas}).</li>
 * </ol>
 */
public final class ViewBuilder {

    private ViewBuilder() {
    }

    public static List<TopologyView.Shard> shards(ClusterSnapshot snapshot) {
        List<TopologyView.Shard> out = new ArrayList<>();
        List<ClusterNode> masters = new ArrayList<>(snapshot.masters());
        masters.sort(Comparator.comparingLong(ClusterNode::configEpoch).reversed().thenComparing(ClusterNode::id));
        BitSet claimed = new BitSet(SlotRange.SLOT_COUNT);
        Map<String, List<ClusterNode>> replicasByMaster = snapshot.replicasByMaster();
        for (ClusterNode m : masters) {
            BitSet own = SlotRange.toBits(m.slots());
            own.andNot(claimed);
            claimed.or(own);
            Optional<String> address = dialable(m);
            boolean gone = m.health() == Health.FAIL || m.health() == Health.UNREACHABLE;
            if (address.isEmpty() || (own.isEmpty() && gone)) {
                continue;
            }
            List<List<Integer>> slots = SlotRange.fromBits(own).stream().map(r -> List.of(r.start(), r.end())).toList();
            List<String> replicas = replicasByMaster.getOrDefault(m.id(), List.of()).stream()
                    .filter(r -> r.health() != Health.FAIL && r.health() != Health.HANDSHAKE)
                    .map(ViewBuilder::dialable).flatMap(Optional::stream).sorted().toList();
            out.add(new TopologyView.Shard(slots, address.get(), replicas));
        }
        out.sort(Comparator.<TopologyView.Shard>comparingInt(s -> s.slots().isEmpty() ? Integer.MAX_VALUE : s.slots().get(0).get(0))
                .thenComparing(TopologyView.Shard::master));
        return out;
    }

    public static Map<String, TopologyView.Group> groups(SentinelView view) {
        Map<String, TopologyView.Group> out = new TreeMap<>();
        view.masters().forEach((name, m) -> out.put(name, new TopologyView.Group(m.address().toString(),
                m.usableReplicas().stream().map(Object::toString).toList())));
        return out;
    }

    private static Optional<String> dialable(ClusterNode n) {
        return n.clientEndpoint().filter(e -> !e.isBlank()).or(() -> n.address().map(Object::toString));
    }
}
