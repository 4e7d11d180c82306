package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.RedisException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * Copies a batch of keys from the source primary to the cluster: {@link #migrate} for the full copy's pages,
 * {@link #copy} for changes (it also deletes keys that are gone) and for whatever the fast path could not place.
 *
 * <ol>
 *   <li>One pipeline of {@code DUMP} + {@code PTTL} on the source.</li>
 *   <li>The entries are grouped by the master owning each key's slot; each group is one pipeline of
 *       {@code RESTORE key ttl payload REPLACE} (or {@code DEL} for a key that no longer exists), the groups in
 *       parallel.</li>
 *   <li>Entries a master refuses with {@code MOVED}/{@code ASK}/{@code CLUSTERDOWN}/{@code TRYAGAIN} (the cluster
 *       changed under the import) are retried after a fresh slot map, at most {@link #ATTEMPTS} times; other refusals
 *       (a module type the target lacks, a payload over its {@code proto-max-bulk-len}) are counted as failed keys.</li>
 * </ol>
 * Safety: RESTORE REPLACE and DEL are idempotent, so copying a key again -- after a change, a failover, a re-scan --
 * is always correct; the last copy of a key is made after its last change was seen (see {@link ChangeLog}).
 */
final class Copier {

    static final int ATTEMPTS = 3;
    static final int MIGRATE_KEYS = 200;
    static final int MIGRATE_TIMEOUT_MILLIS = 5000;

    /** Keys written by one call. */
    record Result(long restored, long deleted, long failed) {
    }

    private final ImportCommands redis;
    private final Supplier<SlotOwners> owners;
    private final Runnable refreshOwners;
    private final ExecutorService pool;
    private final ImportStatus status;

    Copier(ImportCommands redis, Supplier<SlotOwners> owners, Runnable refreshOwners, ExecutorService pool,
           ImportStatus status) {
        this.redis = redis;
        this.owners = owners;
        this.refreshOwners = refreshOwners;
        this.pool = pool;
        this.status = status;
    }

    /**
     * The full copy's fast path: the page's keys grouped by owning master, each group sent by the source itself in
     * {@code MIGRATE ... COPY REPLACE KEYS} batches of {@link #MIGRATE_KEYS} (one pipeline per master, the masters in
     * parallel), so values never travel through the agent. A batch that fails (a moved slot, a type the target
     * refuses) is copied again by {@link #copy}, which retries and accounts key by key. A key deleted before its
     * MIGRATE is skipped by Redis, and its event makes the follow phase delete it in the cluster. The source's main
     * thread is busy for one batch at a time (a few hundred keys), as for any MIGRATE.
     */
    void migrate(HostPort source, List<byte[]> keys) {
        if (keys.isEmpty()) {
            return;
        }
        Map<HostPort, List<byte[]>> groups = owners.get().group(keys, k -> k);
        List<byte[]> slow = new ArrayList<>(groups.getOrDefault(null, List.of()));
        List<CompletableFuture<List<byte[]>>> futures = new ArrayList<>();
        for (Map.Entry<HostPort, List<byte[]>> g : groups.entrySet()) {
            if (g.getKey() == null) {
                continue;
            }
            futures.add(CompletableFuture.supplyAsync(() -> migrateGroup(source, g.getKey(), g.getValue()), pool));
        }
        long copied = 0;
        for (CompletableFuture<List<byte[]>> f : futures) {
            slow.addAll(f.join());
        }
        copied = keys.size() - slow.size();
        status.keysCopied.addAndGet(copied);
        if (!slow.isEmpty()) {
            copy(source, slow);
        }
    }

    /** @return the keys of the batches that failed */
    private List<byte[]> migrateGroup(HostPort source, HostPort target, List<byte[]> keys) {
        List<List<byte[]>> batches = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += MIGRATE_KEYS) {
            batches.add(keys.subList(from, Math.min(keys.size(), from + MIGRATE_KEYS)));
        }
        List<Optional<String>> replies = redis.migrateCopy(source, target, batches, MIGRATE_TIMEOUT_MILLIS);
        List<byte[]> failed = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            if (replies.get(i).isPresent()) {
                failed.addAll(batches.get(i));
            }
        }
        return failed;
    }

    Result copy(HostPort source, List<byte[]> keys) {
        if (keys.isEmpty()) {
            return new Result(0, 0, 0);
        }
        List<ImportCommands.Dumped> entries = redis.dump(source, keys);
        long restored = 0;
        long deleted = 0;
        long failed = 0;
        for (int attempt = 1; attempt <= ATTEMPTS && !entries.isEmpty(); attempt++) {
            List<ImportCommands.Dumped> retry = new ArrayList<>();
            Map<HostPort, List<ImportCommands.Dumped>> groups = owners.get().group(entries, ImportCommands.Dumped::key);
            List<CompletableFuture<List<Optional<String>>>> futures = new ArrayList<>();
            List<List<ImportCommands.Dumped>> sent = new ArrayList<>();
            for (Map.Entry<HostPort, List<ImportCommands.Dumped>> g : groups.entrySet()) {
                if (g.getKey() == null) {
                    retry.addAll(g.getValue()); // no owner known: the slot map is stale or the cluster is down
                    continue;
                }
                sent.add(g.getValue());
                futures.add(CompletableFuture.supplyAsync(() -> writeGroup(g.getKey(), g.getValue()), pool));
            }
            for (int i = 0; i < futures.size(); i++) {
                List<Optional<String>> replies = futures.get(i).join();
                List<ImportCommands.Dumped> group = sent.get(i);
                for (int k = 0; k < group.size(); k++) {
                    ImportCommands.Dumped d = group.get(k);
                    Optional<String> error = replies.get(k);
                    if (error.isEmpty()) {
                        if (d.gone()) {
                            deleted++;
                        } else {
                            restored++;
                        }
                    } else if (retriable(error.get()) && attempt < ATTEMPTS) {
                        retry.add(d);
                    } else {
                        failed++;
                        status.failed(new String(d.key(), StandardCharsets.UTF_8), error.get());
                    }
                }
            }
            if (!retry.isEmpty()) {
                if (attempt == ATTEMPTS) {
                    retry.forEach(d -> status.failed(new String(d.key(), StandardCharsets.UTF_8), "no owner after "
                            + ATTEMPTS + " attempts"));
                    failed += retry.size();
                    break;
                }
                SourceFollower.sleep(100L * attempt);
                refreshOwners.run();
            }
            entries = retry;
        }
        status.keysCopied.addAndGet(restored);
        status.keysDeleted.addAndGet(deleted);
        return new Result(restored, deleted, failed);
    }

    /** A node that cannot be reached fails its whole group as retriable, so the others still land. */
    private List<Optional<String>> writeGroup(HostPort node, List<ImportCommands.Dumped> group) {
        try {
            return redis.write(node, group);
        } catch (RedisException e) {
            if (!e.retriable()) {
                throw e;
            }
            Optional<String> error = Optional.of("TRYAGAIN " + e.getMessage());
            List<Optional<String>> out = new ArrayList<>(group.size());
            group.forEach(d -> out.add(error));
            return out;
        }
    }

    static boolean retriable(String error) {
        return error.startsWith("MOVED") || error.startsWith("ASK") || error.contains("CLUSTERDOWN")
                || error.contains("TRYAGAIN") || error.contains("LOADING");
    }
}
