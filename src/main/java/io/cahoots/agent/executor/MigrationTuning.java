package io.cahoots.agent.executor;

import java.time.Duration;

/**
 * How the engine moves slots.
 *
 * @param batchKeys     keys per {@code MIGRATE} (and per slot per {@code GETKEYSINSLOT})
 * @param parallelism   moves in flight at once, always between disjoint (source, target) pairs
 * @param slotsPerChunk slots opened, emptied and closed together, each step one pipeline per node
 * @param migrateTimeoutMillis the timeout {@code MIGRATE} itself is given for the source -> target transfer
 * @param attempts      tries of one step before a retriable error fails the job
 * @param stepDeadline  how long one step may keep retrying in all
 */
public record MigrationTuning(int batchKeys, int parallelism, int slotsPerChunk, int migrateTimeoutMillis, int attempts,
                              Duration stepDeadline) {

    public MigrationTuning {
        if (batchKeys < 1 || parallelism < 1 || slotsPerChunk < 1 || attempts < 1) {
            throw new IllegalArgumentException("batchKeys, parallelism, slotsPerChunk and attempts must be >= 1");
        }
    }

    public static MigrationTuning defaults(int batchKeys, int parallelism) {
        // 10 attempts with backoff up to 2 s: about 9 s, enough for a cluster to settle after a failover.
        return new MigrationTuning(batchKeys, parallelism, 128, 10_000, 10, Duration.ofSeconds(60));
    }
}
