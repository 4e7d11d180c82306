package io.cahoots.agent.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Named fixture topologies, rendered to real {@code CLUSTER NODES} text per observer and parsed back, so
 * that tests of the check and the assembler go through the same parser as production.
 */
public final class Topologies {

    /** One node of the model; ids are 40 hex characters like Redis'. */
    public record Node(String id, int port, boolean master, String masterId, List<SlotRange> slots) {
    }

    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Map<Integer, String>> migrating = new HashMap<>();
    private final Map<String, Map<Integer, String>> importing = new HashMap<>();
    private final Set<String> unreachable = new HashSet<>();
    private final Set<String> failed = new HashSet<>();
    private final Map<String, Map<String, List<SlotRange>>> divergentViews = new HashMap<>();
    private final Map<String, String> clusterState = new HashMap<>();

    public static String id(int n) {
        return String.format("%040x", n + 0xA000);
    }

    /** Masters share the slots like redis-cli does (the first ones take the remainder); replicas follow their master. */
    public static Topologies evenly(int masters, int replicasPerMaster) {
        Topologies t = new Topologies();
        int base = SlotRange.SLOT_COUNT / masters;
        int extra = SlotRange.SLOT_COUNT % masters;
        int start = 0;
        for (int m = 0; m < masters; m++) {
            int size = base + (m < extra ? 1 : 0);
            t.nodes.put(id(m), new Node(id(m), 30000 + m, true, null, List.of(new SlotRange(start, start + size - 1))));
            start += size;
        }
        int n = masters;
        for (int m = 0; m < masters; m++) {
            for (int r = 0; r < replicasPerMaster; r++) {
                t.nodes.put(id(n), new Node(id(n), 30000 + n, false, id(m), List.of()));
                n++;
            }
        }
        return t;
    }

    public static Topologies threeMastersThreeReplicas() {
        return evenly(3, 1);
    }

    /** Three masters with all slots and a fourth, empty master (a freshly added node). */
    public static Topologies threeMastersOneEmpty() {
        Topologies t = evenly(3, 0);
        t.nodes.put(id(3), new Node(id(3), 30003, true, null, List.of()));
        return t;
    }

    public Topologies migrating(int node, int slot, int target) {
        migrating.computeIfAbsent(id(node), k -> new HashMap<>()).put(slot, id(target));
        return this;
    }

    public Topologies importing(int node, int slot, int source) {
        importing.computeIfAbsent(id(node), k -> new HashMap<>()).put(slot, id(source));
        return this;
    }

    public Topologies unreachable(int node) {
        unreachable.add(id(node));
        return this;
    }

    /** Every peer flags the node {@code fail} (and the agent cannot reach it). */
    public Topologies failed(int node) {
        failed.add(id(node));
        unreachable.add(id(node));
        return this;
    }

    /** Removes slots from their owner, as after a lost {@code ADDSLOTS} or a {@code DELSLOTS}. */
    public Topologies unassign(SlotRange range) {
        nodes.replaceAll((k, n) -> {
            List<SlotRange> remaining = new ArrayList<>();
            var bits = SlotRange.toBits(n.slots());
            bits.clear(range.start(), range.end() + 1);
            remaining.addAll(SlotRange.fromBits(bits));
            return new Node(n.id(), n.port(), n.master(), n.masterId(), remaining);
        });
        return this;
    }

    /** The node claims a range on its own line that its peers still give to someone else. */
    public Topologies alsoClaims(int node, SlotRange range) {
        Node n = nodes.get(id(node));
        List<SlotRange> more = new ArrayList<>(n.slots());
        more.add(range);
        divergentViews.computeIfAbsent(id(node), k -> new HashMap<>()).put(id(node), SlotRange.normalise(more));
        return this;
    }

    public Topologies clusterState(int node, String state) {
        clusterState.put(id(node), state);
        return this;
    }

    public List<NodeObservation> observations() {
        List<NodeObservation> out = new ArrayList<>();
        for (Node observer : nodes.values()) {
            HostPort address = new HostPort("127.0.0.1", observer.port());
            if (unreachable.contains(observer.id())) {
                out.add(NodeObservation.failed(address, "Connection refused"));
                continue;
            }
            StringBuilder text = new StringBuilder();
            for (Node n : nodes.values()) {
                text.append(line(observer, n)).append('\n');
            }
            String state = clusterState.getOrDefault(observer.id(), "ok");
            String role = observer.master() ? "master" : "slave";
            InfoReply info = InfoReply.parse("role:" + role + "\nused_memory:1000\nconnected_clients:1\ndb0:keys=3,expires=0\n"
                    + (observer.master() ? "master_repl_offset:100\n" : "slave_repl_offset:90\nmaster_link_status:up\n"));
            out.add(NodeObservation.reached(address, ClusterNodesParser.parse(text.toString()), info,
                    InfoReply.parse("cluster_state:" + state + "\n"), List.of()));
        }
        return out;
    }

    private String line(Node observer, Node n) {
        boolean self = observer.id().equals(n.id());
        List<String> flags = new ArrayList<>();
        if (self) {
            flags.add("myself");
        }
        flags.add(n.master() ? "master" : "slave");
        if (!self && failed.contains(n.id())) {
            flags.add("fail");
        }
        List<SlotRange> slots = divergentViews.getOrDefault(observer.id(), Map.of()).getOrDefault(n.id(), n.slots());
        StringBuilder sb = new StringBuilder();
        sb.append(n.id()).append(" 127.0.0.1:").append(n.port()).append('@').append(n.port() + 10000).append(' ')
                .append(String.join(",", flags)).append(' ').append(n.masterId() == null ? "-" : n.masterId())
                .append(" 0 0 1 connected");
        for (SlotRange r : slots) {
            sb.append(' ').append(r);
        }
        if (self) {
            migrating.getOrDefault(n.id(), Map.of()).forEach((s, t) -> sb.append(" [").append(s).append("->-").append(t).append(']'));
            importing.getOrDefault(n.id(), Map.of()).forEach((s, f) -> sb.append(" [").append(s).append("-<-").append(f).append(']'));
        }
        return sb.toString();
    }
}
