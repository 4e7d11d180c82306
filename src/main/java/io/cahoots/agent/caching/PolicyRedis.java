package io.cahoots.agent.caching;

import io.cahoots.agent.cluster.HostPort;

import java.util.List;

/**
 * The Redis commands the policy needs, on one data node each. Implemented in {@code redis/PolicyCommands};
 * failures arrive as {@code RedisException}s, never as client types. Keys are raw bytes: Redis keys need not be
 * text, and an EXPIRE on a re-encoded name would miss the key.
 */
public interface PolicyRedis {

    /** {@code INFO memory}: {@code used_memory}, {@code maxmemory}, {@code maxmemory_policy}. */
    MemoryState memory(HostPort node);

    /** {@code CONFIG SET <setting> <value>} (one setting per call, so Redis 6 nodes accept it too). */
    void configSet(HostPort node, String setting, String value);

    /** {@code SCAN <cursor> MATCH <pattern> COUNT <count>}. */
    ScanPage scan(HostPort node, String cursor, String pattern, int count);

    /** {@code TTL} of each key, in one pipeline: seconds, -1 without expiry, -2 when the key is gone. */
    List<Long> ttls(HostPort node, List<byte[]> keys);

    /**
     * {@code EXPIRE <key> <seconds> LT} for each key, in one pipeline: LT (Redis 7) sets the expiry only when it
     * shortens it, and treats a key without expiry as infinite, so a TTL the application lowered meanwhile is never
     * lengthened and a key that vanished is not recreated.
     *
     * @return per key, whether its expiry was set
     */
    List<Boolean> expireAtMost(HostPort node, List<byte[]> keys, long seconds);

    /** What {@code INFO memory} says about the limits. */
    record MemoryState(long usedMemoryBytes, long maxmemoryBytes, String maxmemoryPolicy) {
    }

    /** One SCAN reply; {@code cursor} "0" ends the pass. */
    record ScanPage(String cursor, List<byte[]> keys) {

        public ScanPage {
            keys = List.copyOf(keys);
        }

        public boolean passComplete() {
            return "0".equals(cursor);
        }
    }
}
