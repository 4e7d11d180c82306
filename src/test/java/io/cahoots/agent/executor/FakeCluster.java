package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.InfoReply;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.NodeFlag;
import io.cahoots.agent.cluster.NodeObservation;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.cluster.SnapshotAssembler;
import io.cahoots.agent.redis.RedisException;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scripted Redis Cluster in memory that speaks {@link ClusterCommands}, for unit tests of the executor's rules
 * without {@code redis-server}. Each node has its own view of who owns each slot, its own open slots and its own
 * keys, and answers as Redis 7.0 does where the executor's safety depends on it:
 *
 * <ul>
 *   <li>a node whose view gives a slot to nobody or to a failed node is in {@code cluster_state:fail}: MIGRATE from
 *       it, or into it, answers {@code CLUSTERDOWN};</li>
 *   <li>MIGRATE needs the source to own the slot (or import it, with ASKING) and the target to own or import it;
 *       a key already on the target is {@code BUSYKEY} unless REPLACE;</li>
 *   <li>the SETSLOT rules (no IMPORTING of an own slot, no MIGRATING of another's, no giving away an own slot
 *       that still has keys, NODE to oneself closes the import and bumps the epoch);</li>
 *   <li>{@link #gossip()} spreads claims by epoch the way the cluster bus does, and, like Redis, never rebinds a
 *       slot the receiving node has importing.</li>
 * </ul>
 * Nothing happens behind the test's back: gossip and failovers run when the test calls them.
 */
final class FakeCluster implements ClusterCommands {

    /** One node: its own slot table, open slots, keys by slot, and epoch. */
    static final class Node {
        final String id;
        final HostPort address;
        boolean alive = true;
        String masterId;
        long epoch;
        final Map<Integer, String> owner = new HashMap<>();
        final Map<Integer, String> importing = new TreeMap<>();
        final Map<Integer, String> migrating = new TreeMap<>();
        final Map<Integer, Map<String, String>> keys = new HashMap<>();

        Node(String id, HostPort address, long epoch) {
            this.id = id;
            this.address = address;
            this.epoch = epoch;
        }

        Map<String, String> slotKeys(int slot) {
            return keys.computeIfAbsent(slot, s -> new LinkedHashMap<>());
        }

        long keyCount() {
            return keys.values().stream().mapToLong(Map::size).sum();
        }
    }

    private final AtomicLong clientCalls = new AtomicLong();
    private final Map<String, Node> byId = new LinkedHashMap<>();
    private final Map<HostPort, Node> byAddress = new LinkedHashMap<>();
    private long currentEpoch;
    /** Every MIGRATE sent, as "source->target slot": what a test may count. */
    final List<String> migrates = new ArrayList<>();

    /** A master owning {@code slots} in every node's view (nodes added later learn them by {@link #gossip}). */
    Node master(String id, int port, int fromSlot, int toSlot) {
        Node n = add(id, port);
        for (int s = fromSlot; s <= toSlot; s++) {
            for (Node other : byId.values()) {
                other.owner.put(s, id);
            }
        }
        return n;
    }

    Node replica(String id, int port, String masterId) {
        Node n = add(id, port);
        n.masterId = masterId;
        return n;
    }

    private Node add(String id, int port) {
        Node n = new Node(id, new HostPort("127.0.0.1", port), ++currentEpoch);
        // A new node learns the slot table of the first node (as after MEET and gossip).
        byId.values().stream().findFirst().ifPresent(first -> n.owner.putAll(first.owner));
        byId.put(id, n);
        byAddress.put(n.address, n);
        return n;
    }

    Node node(String id) {
        return byId.get(id);
    }

    static int slotOf(String key) {
        return JedisClusterCRC16.getSlot(key);
    }

    /** Writes a key on the node that every view agrees owns its slot (the test's client). */
    void write(String key, String value) {
        int slot = slotOf(key);
        Node owner = byId.get(byId.values().iterator().next().owner.get(slot));
        owner.slotKeys(slot).put(key, value);
    }

    /** The key's value on whichever nodes hold it, by node id. */
    Map<String, String> whereIs(String key) {
        Map<String, String> out = new TreeMap<>();
        int slot = slotOf(key);
        for (Node n : byId.values()) {
            if (n.masterId == null && n.alive && n.keys.getOrDefault(slot, Map.of()).containsKey(key)) {
                out.put(n.id, n.keys.get(slot).get(key));
            }
        }
        return out;
    }

    /** Kills {@code master}; its replica takes over every slot the replica believes it had, with a new epoch. */
    void failover(String master, String replica) {
        Node dead = byId.get(master);
        Node promoted = byId.get(replica);
        dead.alive = false;
        promoted.masterId = null;
        promoted.epoch = ++currentEpoch;
        // The replica had every key of its master (synchronous enough for a test), and none of its open slots:
        // MIGRATING and IMPORTING are not replicated.
        dead.keys.forEach((slot, k) -> promoted.slotKeys(slot).putAll(k));
        promoted.owner.replaceAll((slot, o) -> o.equals(master) ? replica : o);
        for (Node n : byId.values()) {
            if (n.masterId != null && n.masterId.equals(master)) {
                n.masterId = replica;
            }
        }
    }

    /**
     * One round of the cluster bus: each live master's claim (the slots its own view gives to itself) reaches
     * every other live node, which takes it when the claimant's epoch is newer than the current owner's, unless
     * that node has the slot importing (Redis leaves an import for the operator to close).
     */
    void gossip() {
        for (Node claimant : byId.values()) {
            if (!claimant.alive || claimant.masterId != null) {
                continue;
            }
            claimant.owner.forEach((slot, o) -> {
                if (!o.equals(claimant.id)) {
                    return;
                }
                for (Node n : byId.values()) {
                    if (n == claimant || !n.alive || n.importing.containsKey(slot) || claimant.id.equals(n.owner.get(slot))) {
                        continue;
                    }
                    Node current = byId.get(n.owner.get(slot));
                    if (current == null || current.epoch < claimant.epoch) {
                        n.owner.put(slot, claimant.id);
                    }
                }
            });
        }
    }

    /** {@code cluster_state}: ok when the node's view gives every slot to a live node. */
    boolean stateOk(Node n) {
        for (int s = 0; s < SlotRange.SLOT_COUNT; s++) {
            Node o = byId.get(n.owner.get(s));
            if (o == null || !o.alive) {
                return false;
            }
        }
        return true;
    }

    /** A snapshot as the observer would assemble it from every live node's answers. */
    ClusterSnapshot snapshot() {
        List<NodeObservation> observations = new ArrayList<>();
        for (Node n : byId.values()) {
            if (!n.alive) {
                observations.add(NodeObservation.failed(n.address, "Connection refused"));
                continue;
            }
            InfoReply info = InfoReply.parse("# Server\r\nredis_version:7.0.15\r\n# Replication\r\nrole:"
                    + (n.masterId == null ? "master" : "slave") + "\r\n# Keyspace\r\ndb0:keys=" + n.keyCount() + ",expires=0\r\n");
            InfoReply clusterInfo = InfoReply.parse("cluster_state:" + (stateOk(n) ? "ok" : "fail") + "\r\ncluster_current_epoch:"
                    + currentEpoch + "\r\ncluster_my_epoch:" + n.epoch + "\r\n");
            observations.add(NodeObservation.reached(n.address, view(n), info, clusterInfo, List.of()));
        }
        return SnapshotAssembler.assemble(Optional.empty(), observations, Instant.now(), Duration.ZERO);
    }

    private List<NodeEntry> view(Node self) {
        List<NodeEntry> out = new ArrayList<>();
        for (Node n : byId.values()) {
            Set<NodeFlag> flags = EnumSet.of(n.masterId == null ? NodeFlag.MASTER : NodeFlag.REPLICA);
            if (n == self) {
                flags.add(NodeFlag.MYSELF);
            }
            if (!n.alive) {
                flags.add(NodeFlag.FAIL);
            }
            BitSet mine = new BitSet();
            self.owner.forEach((slot, o) -> {
                if (o.equals(n.id)) {
                    mine.set(slot);
                }
            });
            out.add(new NodeEntry(n.id, Optional.of(n.address), n.address.port() + 10000, Optional.empty(), flags,
                    Optional.ofNullable(n.masterId), 0, 0, n.epoch, n.alive, SlotRange.fromBits(mine),
                    n == self ? Map.copyOf(n.migrating) : Map.of(), n == self ? Map.copyOf(n.importing) : Map.of()));
        }
        return out;
    }

    private Node live(HostPort address) {
        Node n = byAddress.get(address);
        if (n == null || !n.alive) {
            throw new RedisException.Unavailable(address, "Connection refused", null);
        }
        return n;
    }

    // ---- ClusterCommands ----

    @Override
    public List<Optional<String>> setSlots(HostPort node, List<Integer> slots, SlotState state, String nodeId) {
        Node n = live(node);
        List<Optional<String>> out = new ArrayList<>();
        for (int slot : slots) {
            out.add(Optional.ofNullable(setSlot(n, slot, state, nodeId)));
        }
        return out;
    }

    private String setSlot(Node n, int slot, SlotState state, String nodeId) {
        if (n.masterId != null) {
            return "ERR Please use SETSLOT only with masters.";
        }
        boolean mine = n.id.equals(n.owner.get(slot));
        switch (state) {
            case IMPORTING -> {
                if (mine) {
                    return "ERR I'm already the owner of hash slot " + slot;
                }
                n.importing.put(slot, nodeId);
            }
            case MIGRATING -> {
                if (!mine) {
                    return "ERR I'm not the owner of hash slot " + slot;
                }
                n.migrating.put(slot, nodeId);
            }
            case STABLE -> {
                n.importing.remove(slot);
                n.migrating.remove(slot);
            }
            case NODE -> {
                boolean hasKeys = !n.keys.getOrDefault(slot, Map.of()).isEmpty();
                if (mine && !nodeId.equals(n.id) && hasKeys) {
                    return "ERR Can't assign hashslot " + slot + " to a different node while I still hold keys for this hash slot.";
                }
                if (!hasKeys) {
                    n.migrating.remove(slot);
                }
                n.owner.put(slot, nodeId);
                if (nodeId.equals(n.id) && n.importing.remove(slot) != null) {
                    n.epoch = ++currentEpoch;
                }
            }
        }
        return null;
    }

    @Override
    public Map<Integer, List<byte[]>> keysInSlots(HostPort node, Collection<Integer> slots, int perSlot) {
        Node n = live(node);
        Map<Integer, List<byte[]>> out = new LinkedHashMap<>();
        for (int slot : slots) {
            out.put(slot, n.keys.getOrDefault(slot, Map.of()).keySet().stream().limit(perSlot)
                    .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList());
        }
        return out;
    }

    @Override
    public Map<Integer, Long> countKeysInSlots(HostPort node, Collection<Integer> slots) {
        Node n = live(node);
        Map<Integer, Long> out = new LinkedHashMap<>();
        for (int slot : slots) {
            out.put(slot, (long) n.keys.getOrDefault(slot, Map.of()).size());
        }
        return out;
    }

    @Override
    public List<MigrateResult> migrate(HostPort source, HostPort target, List<List<byte[]>> batches, boolean replace, int timeoutMillis) {
        return migrate(source, target, batches, replace, false);
    }

    @Override
    public List<MigrateResult> migrateAsking(HostPort source, HostPort target, List<List<byte[]>> batches, boolean replace,
                                             int timeoutMillis) {
        return migrate(source, target, batches, replace, true);
    }

    private List<MigrateResult> migrate(HostPort source, HostPort target, List<List<byte[]>> batches, boolean replace, boolean asking) {
        Node from = live(source);
        if (!stateOk(from)) {
            throw new RedisException.Unavailable(source, "CLUSTERDOWN The cluster is down", null);
        }
        List<MigrateResult> out = new ArrayList<>();
        for (List<byte[]> batch : batches) {
            int slot = slotOf(new String(batch.get(0), StandardCharsets.UTF_8));
            boolean served = from.id.equals(from.owner.get(slot)) || asking && from.importing.containsKey(slot);
            if (!served) {
                throw new RedisException.CommandFailed(source, "MOVED " + slot + " " + byId.get(from.owner.get(slot)).address, null);
            }
            Node to = live(target);
            if (!stateOk(to)) {
                throw new RedisException.Unavailable(source, "MIGRATE to " + target + ": CLUSTERDOWN The cluster is down", null);
            }
            if (!to.id.equals(to.owner.get(slot)) && !to.importing.containsKey(slot)) {
                throw new RedisException.CommandFailed(source, "Target instance replied with error: MOVED " + slot, null);
            }
            migrates.add(from.id + "->" + to.id + " " + slot);
            MigrateResult result = MigrateResult.NOKEY;
            for (byte[] raw : batch) {
                String key = new String(raw, StandardCharsets.UTF_8);
                String value = from.slotKeys(slot).get(key);
                if (value == null) {
                    continue;
                }
                if (to.slotKeys(slot).containsKey(key) && !replace) {
                    result = MigrateResult.BUSYKEY;
                    continue;
                }
                to.slotKeys(slot).put(key, value);
                from.slotKeys(slot).remove(key);
                if (result != MigrateResult.BUSYKEY) {
                    result = MigrateResult.OK;
                }
            }
            out.add(result);
        }
        return out;
    }

    @Override
    public void addSlots(HostPort node, List<Integer> slots) {
        Node n = live(node);
        for (int slot : slots) {
            if (n.owner.get(slot) != null) {
                throw new RedisException.CommandFailed(node, "ERR Slot " + slot + " is already busy", null);
            }
        }
        slots.forEach(s -> n.owner.put(s, n.id));
    }

    @Override
    public Probe probe(HostPort node) {
        Node n = live(node);
        return new Probe(true, n.keyCount(), byId.size(), n.id);
    }

    @Override
    public List<NodeEntry> clusterNodes(HostPort node) {
        return view(live(node));
    }

    @Override
    public void meet(HostPort node, HostPort other, int otherBusPort) {
        live(node);
    }

    @Override
    public void replicate(HostPort node, String masterId) {
        live(node).masterId = masterId;
    }

    @Override
    public Optional<String> forget(HostPort node, String id) {
        live(node);
        return Optional.empty();
    }

    /** The roll runs on real processes only (RollIT); the fake does not model replication. */
    @Override
    public NodeStatus status(HostPort node) {
        throw new UnsupportedOperationException("FakeCluster does not model replication: the roll is tested on real nodes");
    }

    @Override
    public void failover(HostPort replica) {
        throw new UnsupportedOperationException("FakeCluster does not model failovers: the roll is tested on real nodes");
    }

    @Override
    public void bumpEpoch(HostPort node) {
        live(node).epoch = ++currentEpoch;
    }

    @Override
    public void resetHard(HostPort node) {
        Node n = live(node);
        n.owner.clear();
        n.importing.clear();
        n.migrating.clear();
    }

    @Override
    public List<Boolean> exists(HostPort node, List<byte[]> keys) {
        Node n = live(node);
        return keys.stream().map(k -> new String(k, StandardCharsets.UTF_8))
                .map(k -> n.keys.getOrDefault(slotOf(k), Map.of()).containsKey(k)).toList();
    }

    @Override
    public List<Optional<byte[]>> dump(HostPort node, List<byte[]> keys) {
        Node n = live(node);
        return keys.stream().map(k -> new String(k, StandardCharsets.UTF_8))
                .map(k -> Optional.ofNullable(n.keys.getOrDefault(slotOf(k), Map.of()).get(k)).map(v -> v.getBytes(StandardCharsets.UTF_8)))
                .toList();
    }

    @Override
    public Pinger pinger(HostPort node) {
        live(node);
        return new Pinger() {
            @Override
            public void ping() {
                live(node);
            }

            /** Clients are always busy here: the fake's budgets always apply. */
            @Override
            public String commandStats() {
                live(node);
                return "cmdstat_get:calls=" + clientCalls.addAndGet(1000) + ",usec=1,usec_per_call=0.00\r\n";
            }

            @Override
            public void close() {
            }
        };
    }

    /** A value's length stands for its size. */
    @Override
    public List<Long> memoryUsage(HostPort node, List<byte[]> keys) {
        Node n = live(node);
        List<Long> out = new ArrayList<>();
        for (byte[] k : keys) {
            String key = new String(k, StandardCharsets.UTF_8);
            String v = n.keys.getOrDefault(slotOf(key), Map.of()).get(key);
            out.add(v == null ? 0L : v.length());
        }
        return out;
    }

    @Override
    public Limits limits(HostPort node) {
        Node n = live(node);
        long used = n.keys.values().stream().flatMap(m -> m.values().stream()).mapToLong(String::length).sum();
        return new Limits(512L << 20, 0, used);
    }
}
