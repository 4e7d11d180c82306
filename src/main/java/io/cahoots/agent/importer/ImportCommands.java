package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.HostPort;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Redis commands an import needs, one pipeline per call; implemented in {@code redis/} so no client type leaks
 * here. Errors arrive as {@code RedisException} (retriable or not); per-key errors of a pipeline come back as values.
 */
public interface ImportCommands {

    record ScanPage(String cursor, List<byte[]> keys) {
        public boolean last() {
            return "0".equals(cursor);
        }
    }

    /** @param payload the DUMP payload, null when the key no longer exists; @param pttl as PTTL answered */
    record Dumped(byte[] key, byte[] payload, long pttl) {
        public boolean gone() {
            return payload == null || pttl == -2;
        }
    }

    record KeyInfo(byte[] key, String type, long bytes) {
    }

    /** An open keyspace-notification subscription on one node. */
    interface Subscription extends AutoCloseable {
        HostPort node();

        boolean open();

        @Override
        void close();
    }

    ScanPage scan(HostPort node, String cursor, int count);

    /** Pipelined DUMP and PTTL of every key. */
    List<Dumped> dump(HostPort node, List<byte[]> keys);

    /**
     * Pipelined {@code RESTORE key ttl payload REPLACE} for present keys and {@code DEL} for gone ones.
     *
     * @return per entry the error reply, empty when it succeeded
     */
    List<Optional<String>> write(HostPort node, List<Dumped> entries);

    /**
     * Pipelined {@code MIGRATE target "" 0 timeout COPY REPLACE [AUTH...] KEYS ...} on the source, one per batch: the
     * source serialises and sends the keys itself (TTLs kept), the fast path of the full copy. Keys gone meanwhile are
     * skipped by Redis.
     *
     * @return per batch the error reply, empty when it succeeded (or found no key)
     */
    List<Optional<String>> migrateCopy(HostPort source, HostPort target, List<List<byte[]>> batches, int timeoutMillis);

    /** Pipelined TYPE and MEMORY USAGE. */
    List<KeyInfo> inspect(HostPort node, List<byte[]> keys);

    /** Pipelined TYPE, DUMP and PTTL: the state the verification compares. */
    List<KeyState> probe(HostPort node, List<byte[]> keys);

    /** A digest of the value independent of its encoding (sorted members for sets and hashes, and so on). */
    byte[] canonical(HostPort node, byte[] key, String type);

    Map<String, String> info(HostPort node, String section);

    String configGet(HostPort node, String parameter);

    void configSet(HostPort node, String parameter, String value);

    /**
     * Subscribes to {@code __keyspace@0__:*} on a dedicated connection and returns once Redis confirmed the
     * subscription, so that every write after the return is delivered to {@code onKey}. {@code onClosed} runs when
     * the connection ends for any reason other than {@link Subscription#close()}.
     */
    Subscription subscribeKeyspace(HostPort node, Consumer<byte[]> onKey, Consumer<String> onClosed);
}
