package io.cahoots.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cahoots.agent.cluster.CheckReport;
import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeFlag;
import io.cahoots.agent.cluster.NodeMetrics;
import io.cahoots.agent.cluster.OpenSlot;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.pods.RedisPod;
import io.cahoots.agent.pods.RedisPods;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON of {@code GET /api/v1/cluster} (CONTRACT.md) and {@code GET /api/v1/cluster/check}. */
public final class ClusterView {

    private ClusterView() {
    }

    /** @param nodesMatched with a filter or a page: how many nodes match the filter (the page is a part of them) */
    public record Cluster(long version, String state, Instant takenAt, long pollMillis, int slotsAssigned,
                          boolean checkOk, List<Node> nodes,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Integer nodesMatched) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Node(String id, String address, String hostname, String endpoint, String role, String masterId, List<int[]> slots,
                       int slotCount, Long keys, Long usedMemoryBytes, Long maxMemoryBytes, Long opsPerSec,
                       Long connectedClients, Long keyspaceHits, Long keyspaceMisses, Double hitRatio,
                       Long replicationOffset, Long replicationLagBytes, Double commandLatencyUsec,
                       Map<String, Double> p99LatencyUsec, String health, List<String> flags, String linkState,
                       long configEpoch, Map<Integer, String> migrating, Map<Integer, String> importing, String error,
                       String pod, String kubeNode, Integer ordinal) {
    }

    public record Check(long version, Instant takenAt, boolean ok, boolean agree, List<Open> openSlots,
                        List<int[]> uncoveredSlots, List<int[]> multiOwnedSlots, List<int[]> failedSlots,
                        List<String> unreachable, List<String> problems) {
    }

    public record Open(int slot, String node, String state, String peer) {
    }

    public static Cluster of(ClusterSnapshot s) {
        return of(s, RedisPods.empty());
    }

    /** With each node's pod ({@code pod}, {@code kubeNode}, {@code ordinal}) where the pods supervisor knows it. */
    public static Cluster of(ClusterSnapshot s, RedisPods pods) {
        return new Cluster(s.version(), s.state(), s.takenAt(), s.pollDuration().toMillis(), s.slotsAssigned(),
                s.check().ok(), s.nodes().stream().map(n -> node(n, pods)).toList(), null);
    }

    /** Only the nodes that pass {@code filter}, then {@code limit} of them from {@code offset} (in address order). */
    public static Cluster of(ClusterSnapshot s, java.util.function.Predicate<ClusterNode> filter, int offset, int limit) {
        return of(s, filter, offset, limit, RedisPods.empty());
    }

    public static Cluster of(ClusterSnapshot s, java.util.function.Predicate<ClusterNode> filter, int offset, int limit,
                             RedisPods pods) {
        List<ClusterNode> matched = s.nodes().stream().filter(filter).toList();
        List<Node> page = matched.stream().skip(offset).limit(limit).map(n -> node(n, pods)).toList();
        return new Cluster(s.version(), s.state(), s.takenAt(), s.pollDuration().toMillis(), s.slotsAssigned(),
                s.check().ok(), page, matched.size());
    }

    static Node node(ClusterNode n) {
        return node(n, RedisPods.empty());
    }

    static Node node(ClusterNode n, RedisPods pods) {
        NodeMetrics m = n.metrics().orElse(null);
        RedisPod pod = pods.podOf(n.id()).orElse(null);
        boolean replica = !n.isMaster();
        return new Node(n.id(), n.address().map(HostPort::toString).orElse(null), n.hostname().orElse(null),
                n.clientEndpoint().orElse(null),
                n.role().wire(), n.masterId().orElse(null), ranges(n.slots()), n.slotCount(),
                m == null ? null : m.keys(),
                m == null ? null : m.usedMemoryBytes(),
                m == null ? null : m.maxMemoryBytes(),
                m == null ? null : m.opsPerSec(),
                m == null ? null : m.connectedClients(),
                m == null ? null : m.keyspaceHits(),
                m == null ? null : m.keyspaceMisses(),
                m == null || m.hitRatio() < 0 ? null : m.hitRatio(),
                m == null ? null : m.replicationOffset(),
                replica && m != null ? n.replicationLagBytes() : null,
                m == null ? null : m.averageUsecPerCall(),
                m == null ? null : m.p99UsecByCommand(),
                n.health().wire(),
                n.flags().stream().map(NodeFlag::wire).sorted().toList(),
                n.linkConnected() ? "connected" : "disconnected",
                n.configEpoch(),
                new TreeMap<>(n.migrating()), new TreeMap<>(n.importing()),
                n.error().orElse(null),
                pod == null ? null : pod.name(),
                pod == null ? null : pod.kubeNode().orElse(null),
                pod == null || pod.ordinal().isEmpty() ? null : pod.ordinal().getAsInt());
    }

    public static Check check(ClusterSnapshot s) {
        CheckReport c = s.check();
        return new Check(s.version(), s.takenAt(), c.ok(), c.agree(),
                c.openSlots().stream().map(o -> new Open(o.slot(), o.nodeId(), o.state() == OpenSlot.State.MIGRATING
                        ? "migrating" : "importing", o.peerId())).toList(),
                ranges(c.uncoveredSlots()), ranges(c.multiOwnedSlots()), ranges(c.failedSlots()),
                c.unreachable().stream().map(HostPort::toString).toList(), c.problems());
    }

    static List<int[]> ranges(List<SlotRange> ranges) {
        return ranges.stream().map(r -> new int[]{r.start(), r.end()}).toList();
    }
}
