package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.ImportSettings;
import io.cahoots.agent.executor.Job;
import io.cahoots.agent.executor.JobCancelledException;
import io.cahoots.agent.redis.RedisException;
import io.cahoots.agent.lifecycle.Background;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The work of an {@code import} job: copy a Sentinel-managed primary into the cluster while it takes writes, follow
 * it, cut over, verify.
 *
 * <ol>
 *   <li>Follow first: keyspace events on the primary and its replicas are subscribed ({@link SourceFollower}) before
 *       the SCAN starts, so every write made after the SCAN passed a key is seen.</li>
 *   <li>Full copy: SCAN the primary page by page; each page is copied by {@link Copier#migrate} (batched
 *       MIGRATE COPY REPLACE from the source to the owning master); after each page one batch of pending changes is
 *       applied too (DUMP+PTTL, RESTORE REPLACE or DEL), so the lag stays bounded.</li>
 *   <li>Follow: apply pending changes (re-copy; DEL on the target when the key is gone) until the cutover is asked
 *       for ({@link #requestCutover}), or -- with {@code autoCutover} -- until the lag is near zero.</li>
 *   <li>Failover: when the Sentinel watcher confirms a new primary (or a read fails and the watcher then names
 *       another), the import re-follows the new primary, queues again the keys changed in the last
 *       {@link #RECENT_WINDOW} (the old primary may have acknowledged writes the new one never got) and copies
 *       everything again from the new primary (idempotent: RESTORE REPLACE); then, when the target was empty at the
 *       start, every target key is copied again too ({@link #sweepTarget}), which deletes the keys whose DEL fell in
 *       the moment Sentinel's promotion had cut the subscription. The same when the primary's change stream broke.</li>
 *   <li>Cutover: the {@code cluster-enabled} view goes out on every push channel; changes still reaching the old
 *       primary are applied for the grace period; then {@link Verifier} compares every key.</li>
 *   <li>Always, even when cancelled or failed: subscriptions closed and {@code notify-keyspace-events} put back on
 *       every source node. The source is never written otherwise; the target keeps what was copied.</li>
 * </ol>
 */
final class ImportRun {

    private static final Logger LOG = Logger.getLogger(ImportRun.class);
    static final Duration RECENT_WINDOW = Duration.ofSeconds(30);
    static final int RECENT_MAX = 1_000_000;
    /** How long a failing primary may stay unreplaced before the import gives up. */
    static final Duration SOURCE_OUTAGE = Duration.ofSeconds(90);
    private static final long REWATCH_NANOS = Duration.ofSeconds(2).toNanos();
    private static final int FOLLOW_ATTEMPTS = 10;
    /** Above this many keys the target is not empty, without looking at the names. */
    private static final long SMALL_TARGET = 100;

    /** Publishes the cutover view; returns its version. */
    interface Announcer {
        long announce(String name, String primary);
    }

    private final ImportCommands redis;
    private final SourceGroup source;
    private final Supplier<SlotOwners> owners;
    private final Runnable refreshOwners;
    private final ImportSettings settings;
    private final Announcer announcer;
    private final boolean autoCutover;
    private final Clock clock;
    final ImportStatus status;
    private final ChangeLog changes = new ChangeLog(RECENT_WINDOW.toNanos(), RECENT_MAX);
    private final SourceFollower follower;
    private final ExecutorService pool;
    private final Copier copier;
    private volatile boolean cutoverRequested;
    private volatile boolean fullCopyDone;
    private HostPort primary;
    private boolean targetWasEmpty;
    private boolean sweepNeeded;
    private long lastRewatch;
    private Job job;

    ImportRun(ImportCommands redis, SourceGroup source, Supplier<SlotOwners> owners, Runnable refreshOwners,
              ImportSettings settings, Announcer announcer, boolean autoCutover, Clock clock) {
        this.redis = redis;
        this.source = source;
        this.owners = owners;
        this.refreshOwners = refreshOwners;
        this.settings = settings;
        this.announcer = announcer;
        this.autoCutover = autoCutover;
        this.clock = clock;
        this.status = new ImportStatus(source.name());
        this.follower = new SourceFollower(redis, changes);
        this.pool = Background.pool("import-write", 4);
        this.copier = new Copier(redis, owners, refreshOwners, pool, status);
    }

    /** @return null when accepted, else why not */
    String requestCutover() {
        if (status.phase.ordinal() >= ImportStatus.Phase.GRACE.ordinal()) {
            return "the import is already " + status.phase;
        }
        if (!fullCopyDone) {
            return "the full copy is not finished (" + status.keysScanned.get() + " keys scanned): applications would "
                    + "miss data";
        }
        cutoverRequested = true;
        return null;
    }

    void run(Job job) {
        this.job = job;
        try {
            primary = source.primary();
            status.primary = primary.toString();
            targetWasEmpty = targetEmpty();
            followOrFail();
            fullCopy(ImportStatus.Phase.FOLLOWING);
            follow(() -> cutoverRequested || (autoCutover && lagNearZero()));
            cutover();
            long graceEnd = System.nanoTime() + settings.grace().toNanos();
            follow(() -> System.nanoTime() >= graceEnd);
            status.phase = ImportStatus.Phase.VERIFYING;
            status.verification = verify();
            status.phase = ImportStatus.Phase.DONE;
        } catch (JobCancelledException e) {
            status.phase = ImportStatus.Phase.CANCELLED;
            status.target = targetNote();
            throw e;
        } catch (RuntimeException e) {
            status.phase = ImportStatus.Phase.FAILED;
            status.target = targetNote();
            throw e;
        } finally {
            status.notifyKeyspaceEventsRestored = follower.close();
            pool.shutdownNow();
        }
    }

    private boolean lagNearZero() {
        return changes.lag(System.nanoTime()).nearZero(settings.autoCutoverLagKeys(), 1.0);
    }

    /**
     * Follows the group, insisting on the primary: a Sentinel promotion kills every client of the promoted node
     * (pooled connections included), so the first attempts right after a switch may meet dead connections.
     */
    private void followOrFail() {
        Set<HostPort> nodes = new LinkedHashSet<>();
        nodes.add(primary);
        nodes.addAll(source.nodes());
        for (int attempt = 1; ; attempt++) {
            if (follower.watch(nodes).getOrDefault(primary, false)) {
                lastRewatch = System.nanoTime();
                return;
            }
            if (attempt >= FOLLOW_ATTEMPTS) {
                throw new RedisException.Unavailable(primary, "cannot follow the primary's keyspace events after "
                        + attempt + " attempts", null);
            }
            SourceFollower.sleep(250L * attempt);
            if (job.cancelRequested()) {
                throw new JobCancelledException("cancelled: the source is untouched; " + targetNote());
            }
        }
    }

    /**
     * Whether the cluster held nothing but the agents' own keys when the import began: only then may the import
     * delete a target key because the source lacks it (see {@link #sweepTarget}).
     */
    private boolean targetEmpty() {
        long total = 0;
        for (HostPort m : owners.get().masters()) {
            total += ImportService.keysOf(redis.info(m, "keyspace").get("db0"));
        }
        if (total > SMALL_TARGET) {
            return false;
        }
        for (HostPort m : owners.get().masters()) {
            String cursor = "0";
            do {
                ImportCommands.ScanPage page = redis.scan(m, cursor, 1000);
                if (page.keys().stream().anyMatch(k -> !Verifier.agentOwn(k))) {
                    return false;
                }
                cursor = page.cursor();
            } while (!"0".equals(cursor));
        }
        return true;
    }

    /**
     * After a switch, Sentinel killed the subscriptions of the promoted node: deletes made in the moment before the
     * import re-subscribed were not seen, and a re-scan of the source cannot find keys that are gone. So every key of
     * the target is copied again from the source -- which DELs those the source lacks. Only when the target was empty
     * at the start, so that nothing but imported keys can be deleted.
     */
    private void sweepTarget() {
        if (!targetWasEmpty) {
            status.event("target held keys before the import: no sweep of deletes missed during the switch");
            return;
        }
        long before = status.keysDeleted.get();
        for (HostPort m : owners.get().masters()) {
            String cursor = "0";
            do {
                checkpoint();
                String from = cursor;
                ImportCommands.ScanPage page = redis.scan(m, from, settings.batchKeys());
                List<byte[]> keys = page.keys().stream().filter(k -> !Verifier.agentOwn(k)).toList();
                onSource(p -> copier.copy(p, keys));
                applyChanges();
                cursor = page.cursor();
            } while (!"0".equals(cursor));
        }
        status.event("swept the target after the switch: " + (status.keysDeleted.get() - before) + " keys deleted");
    }

    /** SCAN the primary from the start and copy every key, restarting from the new primary after a switch. */
    /** The phase reads COPYING from the switch until the copy ends, then {@code after}. */
    private void fullCopy(ImportStatus.Phase after) {
        status.phase = ImportStatus.Phase.COPYING;
        copyEverything();
        status.phase = after;
    }

    private void copyEverything() {
        fullCopyDone = false;
        status.fullCopies.incrementAndGet();
        long passStart = status.keysScanned.get();
        String cursor = "0";
        boolean last = false;
        while (!last) {
            try {
                checkpoint();
                String from = cursor;
                ImportCommands.ScanPage page = onSource(p -> redis.scan(p, from, settings.batchKeys()));
                // The agents' own keys (a fleet that once met on this primary) never go over: on the cluster they
                // would overwrite the live fleet's lease and views.
                List<byte[]> data = page.keys().stream().filter(k -> !Verifier.agentOwn(k)).toList();
                onSource(p -> {
                    copier.migrate(p, data);
                    return null;
                });
                status.keysScanned.addAndGet(page.keys().size());
                job.keysMoved(page.keys().size());
                applyChanges();
                cursor = page.cursor();
                last = page.last();
            } catch (SourceSwitched s) {
                status.event("pass " + status.fullCopies.get() + " interrupted after "
                        + (status.keysScanned.get() - passStart) + " keys");
                switchTo(s);
                status.fullCopies.incrementAndGet();
                passStart = status.keysScanned.get();
                // A new SCAN from the start (a do-while on the cursor would end here, with "0" meaning "done").
                cursor = "0";
            }
        }
        status.event("pass " + status.fullCopies.get() + " from " + primary + ": " + (status.keysScanned.get() - passStart)
                + " keys");
        if (sweepNeeded) {
            try {
                sweepTarget();
                sweepNeeded = false;
            } catch (SourceSwitched s) {
                switchTo(s);
                copyEverything();
                return;
            }
        }
        fullCopyDone = true;
        LOG.infof("full copy from %s done: %d keys scanned, %d changes pending", primary, status.keysScanned.get(),
                changes.lag(System.nanoTime()).keys());
    }

    /** Applies changes until {@code done}, copying everything again after a switch. */
    private void follow(BooleanSupplier done) {
        ImportStatus.Phase phase = status.phase;
        while (true) {
            try {
                checkpoint();
                if (done.getAsBoolean()) {
                    return;
                }
                if (applyChanges() == 0) {
                    SourceFollower.sleep(10);
                }
            } catch (SourceSwitched s) {
                switchTo(s);
                fullCopy(phase);
            }
        }
    }

    /** One batch of pending changes copied again; returns how many. */
    int applyChanges() {
        List<byte[]> keys = changes.drain(settings.batchKeys());
        if (!keys.isEmpty()) {
            onSource(p -> copier.copy(p, keys));
            status.changesApplied.addAndGet(keys.size());
        }
        status.lag(changes.lag(System.nanoTime()), changes.added());
        return keys.size();
    }

    private void cutover() {
        status.cutoverAt = clock.instant().toString();
        status.cutoverVersion = announcer.announce(source.name(), primary.toString());
        status.graceEndsAt = clock.instant().plus(settings.grace()).toString();
        status.phase = ImportStatus.Phase.GRACE;
        status.event("cutover: cluster-enabled view version " + status.cutoverVersion + " published, grace "
                + settings.grace());
        LOG.infof("cutover of %s: cluster-enabled view version %d; applying changes for %s more", source.name(),
                status.cutoverVersion, settings.grace());
    }

    private ImportStatus.Verified verify() {
        for (int attempt = 1; ; attempt++) {
            try {
                return new Verifier(redis, owners.get(), settings.ttlTolerance().toMillis(), settings.batchKeys(),
                        this::checkpointAndApply, keys -> onSource(p -> copier.copy(p, keys)), targetWasEmpty).run(primary);
            } catch (SourceSwitched s) {
                if (attempt >= 3) {
                    throw new IllegalStateException("the source kept switching during the verification");
                }
                switchTo(s);
                fullCopy(ImportStatus.Phase.VERIFYING);
            }
        }
    }

    private void checkpointAndApply() {
        checkpoint();
        applyChanges();
    }

    /** Cancel, a confirmed switch, a broken change stream, and now and then new replicas to follow. */
    private void checkpoint() {
        if (job.cancelRequested()) {
            throw new JobCancelledException("cancelled: the source is untouched; " + targetNote());
        }
        HostPort now = source.primary();
        if (!now.equals(primary)) {
            throw new SourceSwitched(now, "Sentinel switched " + source.name() + " from " + primary + " to " + now);
        }
        if (follower.lost(primary)) {
            throw new SourceSwitched(primary, "the keyspace subscription on " + primary + " broke");
        }
        if (System.nanoTime() - lastRewatch > REWATCH_NANOS) {
            lastRewatch = System.nanoTime();
            follower.watch(source.nodes());
        }
    }

    private void switchTo(SourceSwitched s) {
        status.phase = ImportStatus.Phase.COPYING;
        boolean failover = !s.primary.equals(primary);
        LOG.warnf("%s: following %s and copying everything again", s.getMessage(), s.primary);
        status.event(s.getMessage());
        if (failover) {
            status.failoversFollowed.incrementAndGet();
        }
        primary = s.primary;
        status.primary = primary.toString();
        sweepNeeded = true;
        awaitSettled();
        followOrFail();
        int requeued = changes.requeueRecent(System.nanoTime());
        status.event("re-following " + primary + "; " + requeued + " recently changed keys queued again; full re-scan");
    }

    /**
     * Waits (bounded by {@link #SOURCE_OUTAGE}) until the new primary says it is a master, is not loading a dataset
     * and has no failover of its own in progress: a SCAN of a node still settling could miss keys that no event
     * will name later (loading a dataset emits none).
     */
    private void awaitSettled() {
        long deadline = System.nanoTime() + SOURCE_OUTAGE.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                java.util.Map<String, String> replication = redis.info(primary, "replication");
                java.util.Map<String, String> persistence = redis.info(primary, "persistence");
                if ("master".equals(replication.get("role")) && "0".equals(persistence.get("loading"))
                        && "no-failover".equals(replication.getOrDefault("master_failover_state", "no-failover"))) {
                    return;
                }
            } catch (RedisException e) {
                // killed connections right after the promotion: ask again
            }
            SourceFollower.sleep(100);
            if (job.cancelRequested()) {
                throw new JobCancelledException("cancelled: the source is untouched; " + targetNote());
            }
        }
        throw new IllegalStateException("the new primary " + primary + " did not settle within " + SOURCE_OUTAGE);
    }

    /**
     * Runs a source read, waiting (bounded by {@link #SOURCE_OUTAGE}) through an outage of the primary: when the
     * watcher meanwhile confirms another primary, {@link SourceSwitched} sends the import there.
     */
    private <T> T onSource(java.util.function.Function<HostPort, T> read) {
        long deadline = System.nanoTime() + SOURCE_OUTAGE.toNanos();
        int attempt = 0;
        while (true) {
            try {
                return read.apply(primary);
            } catch (RedisException e) {
                if (!e.retriable() && !(e.getMessage() != null && e.getMessage().contains("READONLY"))
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                attempt++;
                if (attempt == 1 || attempt % 20 == 0) {
                    LOG.warnf("source %s failed (%s): waiting for it or for Sentinel's switch", primary, e.getMessage());
                }
                SourceFollower.sleep(250);
                checkpoint();
            }
        }
    }

    private String targetNote() {
        long total = 0;
        List<String> parts = new ArrayList<>();
        try {
            for (HostPort m : owners.get().masters()) {
                String db0 = redis.info(m, "keyspace").getOrDefault("db0", "keys=0");
                long keys = Long.parseLong(db0.replaceAll("^keys=(\\d+).*$", "$1"));
                total += keys;
                parts.add(m + "=" + keys);
            }
        } catch (RuntimeException e) {
            return "the target holds the keys copied so far (" + status.keysCopied.get() + " RESTOREs); could not count: "
                    + e.getMessage();
        }
        return "the target holds " + total + " keys (" + String.join(", ", parts) + "), " + status.keysCopied.get()
                + " of them restored by this import; nothing was removed from it";
    }
}
