package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.HostPort;

import java.util.Collection;
import java.util.Map;

/**
 * Measures how big a master's slots are, for a keys or memory balance. Implemented in {@code redis/}; failures
 * arrive as {@code RedisException}s.
 */
public interface SlotSizeReader {

    /** One slot: its keys, and its bytes estimated as keys x the mean {@code MEMORY USAGE} of the sampled keys. */
    record SlotSize(long keys, long bytes) {
    }

    /**
     * {@code CLUSTER COUNTKEYSINSLOT} and {@code CLUSTER GETKEYSINSLOT <slot> <samples>} for every slot, then
     * {@code MEMORY USAGE} of each sampled key, pipelined.
     */
    Map<Integer, SlotSize> measure(HostPort node, Collection<Integer> slots, int samples);
}
