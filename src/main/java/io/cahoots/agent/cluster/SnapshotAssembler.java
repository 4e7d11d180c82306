package io.cahoots.agent.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Merges one poll's observations into a {@link ClusterSnapshot}. Pure: no clock, no I/O.
 *
 * <ol>
 *   <li>Every node id mentioned by any reachable observer becomes a node. Observations that share one view
 *       object (cheap reads with equal {@link ViewDigest}s) contribute its peer lines once.</li>
 *   <li>A node's shape (address, role, master, slots, open slots) comes from its own line when the agent
 *       reached it, else from its peers' lines (the first observer by address, for determinism).</li>
 *   <li>Health is the worst of: a peer flags it {@code fail}; the agent cannot read it; a peer flags it
 *       {@code fail?}; its {@code INFO} says {@code loading:1}; it is still in handshake.</li>
 *   <li>A node equal to the previous snapshot's keeps that object, so consecutive snapshots share it.</li>
 *   <li>The version grows by one when the topology key (ids, addresses, roles, masters, slots, health,
 *       open slots, cluster state) differs from the previous snapshot's; metrics never move it.</li>
 * </ol>
 */
public final class SnapshotAssembler {

    private SnapshotAssembler() {
    }

    public static ClusterSnapshot assemble(Optional<ClusterSnapshot> previous, Collection<NodeObservation> observations,
                                           Instant takenAt, Duration pollDuration) {
        List<NodeObservation> sorted = new ArrayList<>(observations);
        sorted.sort(Comparator.comparing(NodeObservation::address));

        Map<String, NodeEntry> ownLine = new HashMap<>();
        Map<String, NodeObservation> ownObservation = new HashMap<>();
        Map<String, List<NodeEntry>> peerLines = new LinkedHashMap<>();
        Map<HostPort, String> errors = new HashMap<>();
        Set<List<NodeEntry>> seenViews = Collections.newSetFromMap(new IdentityHashMap<>());
        for (NodeObservation o : sorted) {
            if (!o.reachable()) {
                errors.put(o.address(), o.error().orElse("unreachable"));
                continue;
            }
            o.self().ifPresent(e -> {
                ownLine.put(e.id(), e);
                ownObservation.put(e.id(), o);
            });
            // A view shared by several cheap reads holds the same opinions for all of them (equal digests):
            // count its peer lines once, which keeps the merge linear in the cluster's size.
            if (!seenViews.add(o.view())) {
                continue;
            }
            for (NodeEntry e : o.view()) {
                if (!e.myself()) {
                    peerLines.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e);
                }
            }
        }

        // CLUSTER SHARDS gives the endpoint clients are told to use (an announced hostname, say). Its health
        // word is not used: Redis 7.0 calls every replica with offset 0 "loading", even in an idle cluster.
        Map<String, String> endpoints = new HashMap<>();
        for (NodeObservation o : sorted) {
            o.shards().forEach(sh -> sh.nodes().forEach(n -> n.endpoint().filter(e -> !"?".equals(e))
                    .ifPresent(e -> endpoints.putIfAbsent(n.id(), (e.contains(":") ? "[" + e + "]" : e) + ":" + n.port()))));
        }

        // INFO is parsed once per node: the replication offsets of masters feed their replicas' lag below.
        Map<String, NodeMetrics> metricsById = new HashMap<>();
        ownObservation.forEach((id, o) -> o.info().ifPresent(i -> metricsById.put(id, i.metrics())));

        Map<String, ClusterNode> previousById = new HashMap<>();
        previous.ifPresent(p -> p.nodes().forEach(n -> previousById.put(n.id(), n)));
        List<ClusterNode> nodes = new ArrayList<>();
        Set<String> ids = new TreeSet<>(ownLine.keySet());
        ids.addAll(peerLines.keySet());
        for (String id : ids) {
            NodeEntry own = ownLine.get(id);
            List<NodeEntry> peers = peerLines.getOrDefault(id, List.of());
            NodeEntry base = own != null ? own : peers.get(0);
            Optional<NodeMetrics> metrics = Optional.ofNullable(metricsById.get(id));
            Set<NodeFlag> flags = EnumSet.noneOf(NodeFlag.class);
            flags.addAll(base.flags());
            flags.remove(NodeFlag.MYSELF);
            for (NodeEntry p : peers) {
                if (p.flags().contains(NodeFlag.FAIL)) {
                    flags.add(NodeFlag.FAIL);
                }
                if (p.flags().contains(NodeFlag.PFAIL)) {
                    flags.add(NodeFlag.PFAIL);
                }
            }
            Optional<String> error = base.address().map(errors::get);
            if (own == null && error.isEmpty()) {
                error = Optional.of("not read by the agent");
            }
            boolean loading = metrics.map(NodeMetrics::loading).orElse(false);
            Health health = health(flags, own != null, loading);
            Role role = base.master() ? Role.MASTER : Role.REPLICA;
            long lag = 0;
            if (role == Role.REPLICA && base.masterId().isPresent()) {
                NodeMetrics master = metricsById.get(base.masterId().get());
                if (master != null && metrics.isPresent()) {
                    lag = Math.max(0, master.replicationOffset() - metrics.get().replicationOffset());
                }
            }
            ClusterNode node = new ClusterNode(id, base.address(), base.busPort(), base.hostname(), Optional.ofNullable(endpoints.get(id)), role, base.masterId(), base.slots(), flags,
                    base.linkConnected(), base.configEpoch(),
                    own != null ? own.migrating() : Map.of(), own != null ? own.importing() : Map.of(),
                    health, metrics, lag, own != null ? Optional.empty() : error);
            // An unchanged node keeps the previous snapshot's object: snapshots share what did not change.
            ClusterNode before = previousById.get(id);
            nodes.add(node.equals(before) ? before : node);
        }
        nodes.sort(Comparator.comparing(ClusterNode::addressText).thenComparing(ClusterNode::id));

        String state = clusterState(sorted);
        CheckReport check = ClusterCheck.check(sorted, nodes);
        String key = topologyKey(state, nodes);
        long version = previous.map(p -> p.topologyKey().equals(key) ? p.version() : p.version() + 1).orElse(1L);
        return new ClusterSnapshot(version, takenAt, pollDuration, state, nodes, check, key);
    }

    private static Health health(Set<NodeFlag> flags, boolean reachedByAgent, boolean loading) {
        if (flags.contains(NodeFlag.FAIL)) {
            return Health.FAIL;
        }
        if (!reachedByAgent) {
            return Health.UNREACHABLE;
        }
        if (flags.contains(NodeFlag.PFAIL)) {
            return Health.PFAIL;
        }
        if (loading) {
            return Health.LOADING;
        }
        if (flags.contains(NodeFlag.HANDSHAKE) || flags.contains(NodeFlag.NOADDR)) {
            return Health.HANDSHAKE;
        }
        return Health.OK;
    }

    private static String clusterState(List<NodeObservation> observations) {
        String state = "unknown";
        for (NodeObservation o : observations) {
            Optional<String> s = o.clusterInfo().flatMap(i -> i.get("cluster_state"));
            if (s.isPresent()) {
                if (!"ok".equals(s.get())) {
                    return s.get();
                }
                state = "ok";
            }
        }
        return state;
    }

    /** Everything an application or an operator would call "the topology"; nodes are already sorted. */
    static String topologyKey(String state, List<ClusterNode> nodes) {
        StringBuilder sb = new StringBuilder(state);
        for (ClusterNode n : nodes) {
            sb.append('|').append(n.id()).append(' ').append(n.addressText()).append(' ').append(n.role())
                    .append(' ').append(n.masterId().orElse("-")).append(' ').append(n.slots())
                    // fail? flaps with every slow ping; applications only care once the cluster agrees (fail).
                    .append(' ').append(n.health() == Health.PFAIL ? Health.OK : n.health())
                    .append(' ').append(new TreeMap<>(n.migrating())).append(new TreeMap<>(n.importing()));
        }
        return sb.toString();
    }
}
