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

    /** Which of the keys exist on the node (in an importing slot too: sent with ASKING). */
    List<Boolean> exists(HostPort node, List<byte[]> keys);

    /** {@code DUMP} of each key (with ASKING, so importing slots answer); empty for a missing key. */
    List<Optional<byte[]>> dump(HostPort node, List<byte[]> keys);
}
