package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.HostPort;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Redis commands the migration engine needs, pipelined where the protocol allows. Implemented in
 * {@code redis/}; failures arrive as {@code RedisException}s (retriable or not), never as client types.
 * Keys are raw bytes: Redis keys need not be text.
 */
public interface ClusterCommands {

    enum SlotState { IMPORTING, MIGRATING, NODE, STABLE }

    enum MigrateResult { OK, NOKEY, BUSYKEY }

    /**
     * {@code CLUSTER SETSLOT <slot> <state> [nodeId]} for each slot, in one pipeline.
     *
     * @return per slot, the Redis error message, empty when it succeeded
     */
    List<Optional<String>> setSlots(HostPort node, List<Integer> slots, SlotState state, String nodeId);

    /** {@code CLUSTER GETKEYSINSLOT <slot> <perSlot>} for each slot, in one pipeline. */
    Map<Integer, List<byte[]>> keysInSlots(HostPort node, Collection<Integer> slots, int perSlot);

    /** {@code CLUSTER COUNTKEYSINSLOT} for each slot, in one pipeline. */
    Map<Integer, Long> countKeysInSlots(HostPort node, Collection<Integer> slots);

    /**
     * One {@code MIGRATE host port "" 0 timeout [REPLACE] [AUTH..] KEYS ...} per batch, all in one pipeline.
     * Each batch must hold keys of a single slot (Redis Cluster refuses CROSSSLOT batches). BUSYKEY is a
     * result, not an error; an I/O error between source and target is a retriable {@code RedisException}.
     */
    List<MigrateResult> migrate(HostPort source, HostPort target, List<List<byte[]>> batches, boolean replace, int timeoutMillis);

    /**
     * The same, each MIGRATE preceded by {@code ASKING}: for a source that does not own the slot but has it
     * importing, as when the fix action moves stray keys back to the owner.
     */
    List<MigrateResult> migrateAsking(HostPort source, HostPort target, List<List<byte[]>> batches, boolean replace, int timeoutMillis);

    /** {@code CLUSTER ADDSLOTSRANGE} for the given slots (sorted, grouped into ranges). */
    void addSlots(HostPort node, List<Integer> slots);

    /** What a node says about itself before it may join: cluster mode, keys, how many nodes it knows, its id. */
    record Probe(boolean clusterEnabled, long keys, int knownNodes, String id) {
    }

    Probe probe(HostPort node);

    /** The node's {@code CLUSTER NODES}, parsed. */
    List<io.cahoots.agent.cluster.NodeEntry> clusterNodes(HostPort node);

    /** {@code CLUSTER MEET host port busPort} sent to {@code node}. */
    void meet(HostPort node, HostPort other, int otherBusPort);

    /** {@code CLUSTER REPLICATE masterId} on {@code node}. */
    void replicate(HostPort node, String masterId);

    /** {@code CLUSTER FORGET id} on {@code node}; the Redis error, if any. */
    Optional<String> forget(HostPort node, String id);

    /** {@code CLUSTER BUMPEPOCH}: makes the node's claims win over older ones. */
    void bumpEpoch(HostPort node);

    /**
     * {@code CLUSTER RESET HARD}: also a new node id, so that a removed node can join again at once (the others
     * ban its old id for 60 s after {@code CLUSTER FORGET}, which held a re-add for that long).
     */
    void resetHard(HostPort node);

    /** Which of the keys exist on the node (in an importing slot too: sent with ASKING). */
    List<Boolean> exists(HostPort node, List<byte[]> keys);

    /** {@code DUMP} of each key (with ASKING, so importing slots answer); empty for a missing key. */
    List<Optional<byte[]>> dump(HostPort node, List<byte[]> keys);

    /**
     * What one node says about itself, read in one pipeline ({@code CLUSTER MYID}, {@code INFO}, {@code CLUSTER INFO}):
     * what a roll waits on between restarts.
     *
     * @param master        {@code role:master}
     * @param linkUp        for a replica {@code master_link_status:up} (set once its sync is done); true on a master
     * @param offset        {@code master_repl_offset} on a master, {@code slave_repl_offset} on a replica
     * @param syncing       {@code master_sync_in_progress:1}
     * @param loading       {@code loading:1}
     * @param clusterStateOk {@code cluster_state:ok}
     * @param runId         {@code run_id}: a new one per process start
     */
    record NodeStatus(String id, boolean master, boolean linkUp, long offset, boolean syncing, boolean loading,
                      boolean clusterStateOk, String runId) {
    }

    NodeStatus status(HostPort node);

    /** {@code CLUSTER FAILOVER} (the coordinated one: the master stops writes until this replica caught up) on a replica. */
    void failover(HostPort replica);

    /** A connection of its own to one node, for the latency probe: its round trips are what a client's would be. */
    interface Pinger extends AutoCloseable {
        /** {@code PING}, waiting for the answer. */
        void ping();

        /** {@code INFO commandstats}: what the node has served, to tell whether clients use it ({@link ClientActivity}). */
        String commandStats();

        @Override
        void close();
    }

    /** A {@link Pinger} on a new connection outside the pools (a pooled one could wait behind a MIGRATE). */
    Pinger pinger(HostPort node);

    /**
     * {@code MEMORY USAGE key} (Redis' default sampling: O(1) for any type) of each key, each with {@code ASKING}, in
     * one pipeline; 0 for a key that is not there (any more).
     */
    List<Long> memoryUsage(HostPort node, List<byte[]> keys);

    /**
     * What a node can take: its {@code proto-max-bulk-len} (a MIGRATE's RESTORE payload is one bulk string), its
     * {@code maxmemory} (0: none) and its {@code used_memory}.
     */
    record Limits(long protoMaxBulkLen, long maxmemory, long usedMemory) {
        /** The largest key the node can take: the bulk limit, and its free memory when it has a maxmemory. */
        public long largestKey() {
            return maxmemory == 0 ? protoMaxBulkLen : Math.min(protoMaxBulkLen, Math.max(0, maxmemory - usedMemory));
        }
    }

    Limits limits(HostPort node);
}
