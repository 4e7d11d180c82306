package io.cahoots.agent.executor;

import java.time.Duration;

/**
 * How the engine moves slots.
 *
 * @param batchKeys     keys per {@code MIGRATE} (and per slot per {@code GETKEYSINSLOT})
 * @param parallelism   moves in flight at once: each source in one at most, a target may receive from several,
 *                      no node both ways ({@link MigrationEngine})
 * @param slotsPerChunk slots opened, emptied and closed together, each step one pipeline per node
 * @param migrateTimeoutMillis the timeout {@code MIGRATE} itself is given for the source -> target transfer (the
 *                      floor: a batch of many bytes gets more, {@link #migrateTimeoutMillis(long)})
 * @param attempts      tries of one step before a retriable error fails the job
 * @param stepDeadline  how long one step may keep retrying in all
 * @param maxLatency    the latency a migration may add to a command on its source or target, as the engine's own
 *                      {@code PING}s see it ({@link LatencyProbe}); {@link Duration#ZERO}: no budget, full speed
 * @param batchBytes    bytes per {@code MIGRATE} round (sizes from {@code MEMORY USAGE}); a bigger key goes alone;
 *                      0: batches bounded by keys only and no sizes read
 */
public record MigrationTuning(int batchKeys, int parallelism, int slotsPerChunk, int migrateTimeoutMillis, int attempts,
                              Duration stepDeadline, Duration maxLatency, long batchBytes) {

    /** The MIGRATE timeout grows by a second per this many bytes of the batch: a slow, loaded link still fits. */
    static final long TIMEOUT_BYTES_PER_SECOND = 8L << 20;

    public MigrationTuning {
        if (batchKeys < 1 || parallelism < 1 || slotsPerChunk < 1 || attempts < 1) {
            throw new IllegalArgumentException("batchKeys, parallelism, slotsPerChunk and attempts must be >= 1");
        }
        if (maxLatency.isNegative() || batchBytes < 0) {
            throw new IllegalArgumentException("maxLatency and batchBytes must be >= 0");
        }
    }

    /** Without a latency budget nor a byte bound: the engine as it was before issue 16. */
    public MigrationTuning(int batchKeys, int parallelism, int slotsPerChunk, int migrateTimeoutMillis, int attempts,
                           Duration stepDeadline) {
        this(batchKeys, parallelism, slotsPerChunk, migrateTimeoutMillis, attempts, stepDeadline, Duration.ZERO, 0);
    }

    public static MigrationTuning defaults(int batchKeys, int parallelism) {
        // 10 attempts with backoff up to 2 s: about 9 s, enough for a cluster to settle after a failover.
        return new MigrationTuning(batchKeys, parallelism, 128, 10_000, 10, Duration.ofSeconds(60));
    }

    public MigrationTuning withLimits(Duration maxLatency, long batchBytes) {
        return new MigrationTuning(batchKeys, parallelism, slotsPerChunk, migrateTimeoutMillis, attempts, stepDeadline,
                maxLatency, batchBytes);
    }

    /** Keys one round may move at most: every slot of a chunk with a full batch, as the engine always did. */
    int maxRoundKeys() {
        return (int) Math.min(Integer.MAX_VALUE, (long) batchKeys * slotsPerChunk);
    }

    /** The MIGRATE timeout for a batch of {@code bytes}: the floor plus a second per {@link #TIMEOUT_BYTES_PER_SECOND}. */
    int migrateTimeoutMillis(long bytes) {
        long extra = Math.max(0, bytes) * 1000 / TIMEOUT_BYTES_PER_SECOND;
        return (int) Math.min(Integer.MAX_VALUE / 2, migrateTimeoutMillis + extra);
    }
}
