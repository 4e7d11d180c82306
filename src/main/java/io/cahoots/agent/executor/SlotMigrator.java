package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.executor.ClusterCommands.MigrateResult;
import io.cahoots.agent.executor.ClusterCommands.SlotState;
import io.cahoots.agent.redis.RedisException;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Moves one chunk of slots from a source master to a target master, the protocol of
 * {@code redis-cli --cluster} with every step pipelined over the whole chunk.
 *
 * <ol>
 *   <li>{@code SETSLOT IMPORTING} on the target for every slot, then {@code SETSLOT MIGRATING} on the
 *       source: from now on clients asking for a moved key are sent on ({@code ASK}), nothing is lost.</li>
 *   <li>Until every slot is empty on the source, in rounds: {@code GETKEYSINSLOT} for the open slots whose listed
 *       keys ran out, in one pipeline (a slot whose listing held all its keys is not listed again until the chunk's
 *       end, when all such slots are confirmed empty in one pipeline); with a byte bound, {@code MEMORY USAGE} of the keys the round may take; then
 *       one {@code MIGRATE ... KEYS} per slot (Redis refuses cross-slot batches), again in one pipeline. A round
 *       holds at most what the move's {@link Pace} allows (keys) and {@code batchBytes}; a bigger key goes alone;
 *       the MIGRATE timeout grows with the round's bytes. A key is deleted from the source only once the target
 *       acknowledged it, so a failure at any point loses nothing.</li>
 *   <li>A MIGRATE that fails for good (a key the target refuses, a timeout past the retries): the chunk is rolled
 *       back, keys returned to the source and the slots made stable, closed and owned by the source.</li>
 *   <li>{@code BUSYKEY} (the target has the key already): both copies are compared with {@code DUMP};
 *       identical copies are migrated with {@code REPLACE}; different ones fail the move naming the keys,
 *       unless the request allowed {@code replace}.</li>
 *   <li>{@code SETSLOT NODE} on the target first (it takes ownership and bumps its epoch), then the source
 *       (tolerating "Please use SETSLOT only with masters" should it have been failed over), then every
 *       other master, whose failure is harmless: gossip tells them too.</li>
 * </ol>
 * Retriable errors are retried per step ({@link Retry}); a fatal one leaves the chunk's slots open for the
 * fix action to repair and is thrown as a {@link MigrationException} naming slots, nodes and error.
 */
final class SlotMigrator {

    private static final Logger LOG = Logger.getLogger(SlotMigrator.class);
    /** Rounds whose key sizes one {@code MEMORY USAGE} pipeline reads... */
    static final int SIZE_LOOK_AHEAD = 4;
    /**
     * ...and keys, at least: rounds a latency budget keeps to a few keys would otherwise pay a round trip every few
     * rounds (issue 16, a loaded machine: a quarter of the move's time at a 700 us budget). A pipeline of this many
     * sampled {@code MEMORY USAGE}s holds the source for about 0.1-0.3 ms.
     */
    static final int SIZE_LOOK_AHEAD_KEYS = 256;
    private static final int KEYS_NAMED_IN_ERRORS = 5;
    static final int ROLLBACK_ATTEMPTS = 20;
    static final java.time.Duration ROLLBACK_DEADLINE = java.time.Duration.ofSeconds(60);

    private final ClusterCommands redis;
    private final MigrationTuning tuning;

    SlotMigrator(ClusterCommands redis, MigrationTuning tuning) {
        this.redis = redis;
        this.tuning = tuning;
    }

    /** Endpoints of one move: ids and addresses of source and target, and the other masters to tell. */
    record Pair(String fromId, HostPort from, String toId, HostPort to, List<HostPort> otherMasters) {
        String describe() {
            return from + " (" + fromId + ") -> " + to + " (" + toId + ")";
        }
    }

    /** @return keys moved */
    long moveChunk(Pair pair, List<Integer> slots, boolean replace) {
        return moveChunk(pair, slots, replace, Pace.unlimited(tuning));
    }

    /** @return keys moved, in rounds as big as {@code pace} allows */
    long moveChunk(Pair pair, List<Integer> slots, boolean replace, Pace pace) {
        String where = "slots " + compact(slots) + " " + pair.describe();
        try {
            expectOk(retry(() -> redis.setSlots(pair.to(), slots, SlotState.IMPORTING, pair.fromId())), "SETSLOT IMPORTING on target", where, false);
            expectOk(retry(() -> redis.setSlots(pair.from(), slots, SlotState.MIGRATING, pair.toId())), "SETSLOT MIGRATING on source", where, false);
            long moved;
            try {
                moved = drain(pair, slots, replace, where, false, pace);
            } catch (MigrateFailed e) {
                throw rollBack(pair, slots, where, e);
            }
            expectOk(retry(() -> redis.setSlots(pair.to(), slots, SlotState.NODE, pair.toId())), "SETSLOT NODE on target", where, false);
            expectOk(retry(() -> redis.setSlots(pair.from(), slots, SlotState.NODE, pair.toId())), "SETSLOT NODE on source", where, true);
            pair.otherMasters().parallelStream().forEach(m -> {
                try {
                    redis.setSlots(m, slots, SlotState.NODE, pair.toId());
                } catch (RedisException e) {
                    LOG.warnf("could not tell %s about %s (gossip will): %s", m, where, e.getMessage());
                }
            });
            return moved;
        } catch (RedisException e) {
            throw new MigrationException(where + ": " + e.getMessage(), e);
        }
    }

    /** A MIGRATE that failed for good (after its retries): a key that cannot move, or a target that refuses it. */
    static final class MigrateFailed extends MigrationException {
        MigrateFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * After a MIGRATE failed mid-chunk: the source's slots are made stable (for the few milliseconds until the keys
     * are back, a client asking the source for a key on the target reads nothing), the keys that reached the target
     * go back ({@code ASKING MIGRATE} from the target, which has the slots importing), then the target's slots are
     * made stable too, so they
     * stay closed and owned by the source with every key there, never half-open. When even that fails the slots are
     * left open for the fix action, and the error says so.
     */
    private MigrationException rollBack(Pair pair, List<Integer> slots, String where, MigrateFailed cause) {
        Pair back = new Pair(pair.toId(), pair.to(), pair.fromId(), pair.from(), List.of());
        // More patient than the move: what failed may have stalled the nodes long enough to flag the cluster down.
        MigrationTuning patient = new MigrationTuning(tuning.batchKeys(), 1, tuning.slotsPerChunk(), tuning.migrateTimeoutMillis(),
                Math.max(tuning.attempts(), ROLLBACK_ATTEMPTS), tuning.stepDeadline().compareTo(ROLLBACK_DEADLINE) > 0
                ? tuning.stepDeadline() : ROLLBACK_DEADLINE, java.time.Duration.ZERO, tuning.batchBytes());
        SlotMigrator rollback = new SlotMigrator(redis, patient);
        try {
            // The source first: a migrating slot answers ASK to a RESTORE of a key it lacks, so the keys could not return.
            expectOk(rollback.retry(() -> redis.setSlots(pair.from(), slots, SlotState.STABLE, null)), "SETSLOT STABLE on source", where, false);
            long returned = rollback.drain(back, slots, false, where + " (rollback)", true, Pace.unlimited(patient));
            expectOk(rollback.retry(() -> redis.setSlots(pair.to(), slots, SlotState.STABLE, null)), "SETSLOT STABLE on target", where, false);
            LOG.warnf("%s: %s; rolled back (%d key(s) returned to the source)", where, cause.getMessage(), returned);
            return new MigrationException(where + ": " + cause.getMessage() + "; the slots were rolled back: closed and owned by "
                    + pair.from() + " with all their keys", cause);
        } catch (RuntimeException e) {
            return new MigrationException(where + ": " + cause.getMessage() + "; the rollback failed too (" + e.getMessage()
                    + "): the slots are left open, run POST /api/v1/cluster/fix", cause);
        }
    }

    /**
     * Moves every key of one slot from {@code from} to {@code to} without touching slot states: the caller
     * has put them where MIGRATE is allowed. {@code asking}: the source does not own the slot (it has it
     * importing), so each MIGRATE goes with ASKING. Used by the fix action.
     */
    long evacuate(String fromId, HostPort from, HostPort to, int slot, boolean asking, boolean replace) {
        Pair pair = new Pair(fromId, from, "?", to, List.of());
        String where = "slot " + slot + " " + from + " -> " + to;
        try {
            return drain(pair, List.of(slot), replace, where, asking, Pace.unlimited(tuning));
        } catch (RedisException e) {
            throw new MigrationException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Empties the slots on the source in rounds: keys are listed per slot ({@code GETKEYSINSLOT}, one pipeline for
     * every slot whose list ran out), and each round moves at most {@code pace.limit()} of them, one {@code MIGRATE}
     * of at most {@code batchKeys} per slot, all in one pipeline.
     */
    private long drain(Pair pair, List<Integer> slots, boolean replace, String where, boolean asking, Pace pace) {
        Map<Integer, ArrayDeque<byte[]>> queued = new LinkedHashMap<>();
        slots.forEach(s -> queued.put(s, new ArrayDeque<>()));
        // Slots whose last listing held every key they had: see below.
        Set<Integer> listedWhole = new HashSet<>();
        List<Integer> toConfirm = new ArrayList<>();
        // Sizes of queued keys already read (the same arrays as in the queues).
        Map<byte[], Long> sizes = new IdentityHashMap<>();
        long moved = 0;
        while (true) {
            List<Integer> ranOut = new ArrayList<>();
            for (var it = queued.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isEmpty()) {
                    continue;
                }
                // A slot migrating away gains no key on its source (a client writing a key it lacks is sent on with
                // ASK), so once a whole listing has moved the slot is empty: it is confirmed with the chunk's other
                // slots at the end, one pipeline, instead of one listing per slot (a round trip each while a latency
                // budget keeps rounds small). The source of {@code asking} moves has the slots importing and may
                // gain keys: those are listed again.
                if (!asking && listedWhole.remove(e.getKey())) {
                    toConfirm.add(e.getKey());
                    it.remove();
                } else {
                    ranOut.add(e.getKey());
                }
            }
            if (ranOut.isEmpty() && queued.isEmpty() && !toConfirm.isEmpty()) {
                ranOut.addAll(toConfirm);
                toConfirm.clear();
            }
            if (!ranOut.isEmpty()) {
                Map<Integer, List<byte[]>> fetched = retry(() -> redis.keysInSlots(pair.from(), ranOut, tuning.batchKeys()));
                fetched.forEach((slot, k) -> {
                    if (!k.isEmpty()) {
                        queued.computeIfAbsent(slot, x -> new ArrayDeque<>()).addAll(k);
                        if (k.size() < tuning.batchKeys()) {
                            listedWhole.add(slot);
                        }
                    } else {
                        queued.remove(slot);
                    }
                });
            }
            if (queued.isEmpty()) {
                if (toConfirm.isEmpty()) {
                    return moved;
                }
                continue;
            }
            if (tuning.batchBytes() > 0) {
                measure(pair.from(), queued, pace.limit(), sizes);
            }
            long[] bytes = new long[1];
            List<List<byte[]>> batches = round(queued, pace.limit(), sizes, bytes);
            int keys = batches.stream().mapToInt(List::size).sum();
            int timeout = tuning.migrateTimeoutMillis(bytes[0]);
            pace.beforeRound();
            long start = System.nanoTime();
            List<MigrateResult> results;
            try {
                results = retry(() -> asking
                        ? redis.migrateAsking(pair.from(), pair.to(), batches, replace, timeout)
                        : redis.migrate(pair.from(), pair.to(), batches, replace, timeout));
            } catch (RedisException e) {
                throw new MigrateFailed("MIGRATE of " + keys + " key(s), " + bytes[0] + " bytes (" + describe(batches) + ") failed: "
                        + e.getMessage(), e);
            }
            pace.afterRound(keys, System.nanoTime() - start);
            for (int i = 0; i < batches.size(); i++) {
                if (results.get(i) == MigrateResult.BUSYKEY) {
                    moved += resolveBusyKeys(pair, batches.get(i), replace, where, asking);
                } else {
                    moved += batches.get(i).size();
                }
            }
        }
    }

    /**
     * When the next round may take a key of unknown size: reads the size of every key the next few rounds could take
     * and whose size is not known yet, one pipeline of {@code MEMORY USAGE} (sampled, O(1) per key whatever its
     * type) on the source. Looking {@link #SIZE_LOOK_AHEAD} rounds and at least {@link #SIZE_LOOK_AHEAD_KEYS} keys
     * ahead saves a round trip on most rounds when a latency budget keeps them small.
     */
    private void measure(HostPort source, Map<Integer, ArrayDeque<byte[]>> queued, int roundLimit, Map<byte[], Long> sizes) {
        if (ahead(queued, roundLimit).stream().allMatch(sizes::containsKey)) {
            return;
        }
        int limit = (int) Math.min(tuning.maxRoundKeys(), Math.max(SIZE_LOOK_AHEAD_KEYS, (long) SIZE_LOOK_AHEAD * roundLimit));
        List<byte[]> unknown = ahead(queued, limit).stream().filter(k -> !sizes.containsKey(k)).toList();
        List<Long> usage = retry(() -> redis.memoryUsage(source, unknown));
        for (int i = 0; i < unknown.size(); i++) {
            sizes.put(unknown.get(i), usage.get(i));
        }
    }

    /** The first {@code limit} keys the coming rounds take, in their order: at most {@code batchKeys} from each slot. */
    private List<byte[]> ahead(Map<Integer, ArrayDeque<byte[]>> queued, int limit) {
        List<byte[]> keys = new ArrayList<>();
        for (ArrayDeque<byte[]> q : queued.values()) {
            int inSlot = 0;
            for (byte[] k : q) {
                if (inSlot++ >= tuning.batchKeys() || keys.size() >= limit) {
                    break;
                }
                keys.add(k);
            }
            if (keys.size() >= limit) {
                break;
            }
        }
        return keys;
    }

    /**
     * One batch per slot (MIGRATE refuses keys of several slots) of at most {@code batchKeys}, {@code limit} keys
     * and {@code batchBytes} in all; a key bigger than {@code batchBytes} goes alone. {@code bytes[0]}: the round's.
     */
    private List<List<byte[]>> round(Map<Integer, ArrayDeque<byte[]>> queued, int limit, Map<byte[], Long> sizes, long[] bytes) {
        long maxBytes = tuning.batchBytes() > 0 ? tuning.batchBytes() : Long.MAX_VALUE;
        List<List<byte[]>> batches = new ArrayList<>();
        int taken = 0;
        boolean full = false;
        for (ArrayDeque<byte[]> q : queued.values()) {
            List<byte[]> batch = new ArrayList<>();
            while (!q.isEmpty() && batch.size() < tuning.batchKeys() && taken < limit) {
                long size = sizes.getOrDefault(q.peek(), 0L);
                if (taken > 0 && bytes[0] + size > maxBytes) {
                    full = true;
                    break;
                }
                sizes.remove(q.peek());
                batch.add(q.poll());
                taken++;
                bytes[0] += size;
            }
            if (!batch.isEmpty()) {
                batches.add(batch);
            }
            if (full || taken >= limit || bytes[0] >= maxBytes) {
                break;
            }
        }
        return batches;
    }

    private static String describe(List<List<byte[]>> batches) {
        List<String> names = batches.stream().flatMap(List::stream).limit(KEYS_NAMED_IN_ERRORS)
                .map(k -> new String(k, StandardCharsets.UTF_8)).toList();
        long all = batches.stream().mapToLong(List::size).sum();
        return String.join(", ", names) + (all > names.size() ? ", ..." : "");
    }

    /** The keys of a batch that MIGRATE left on the source because the target has them too. */
    private long resolveBusyKeys(Pair pair, List<byte[]> batch, boolean replace, String where, boolean asking) {
        List<Boolean> stillHere = retry(() -> redis.exists(pair.from(), batch));
        List<byte[]> busy = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (stillHere.get(i)) {
                busy.add(batch.get(i));
            }
        }
        long movedBefore = batch.size() - busy.size();
        if (busy.isEmpty()) {
            return movedBefore;
        }
        List<Optional<byte[]>> mine = retry(() -> redis.dump(pair.from(), busy));
        List<Optional<byte[]>> theirs = retry(() -> redis.dump(pair.to(), busy));
        List<String> different = new ArrayList<>();
        for (int i = 0; i < busy.size(); i++) {
            boolean same = mine.get(i).isPresent() && theirs.get(i).isPresent() && Arrays.equals(mine.get(i).get(), theirs.get(i).get());
            if (!same) {
                different.add(new String(busy.get(i), StandardCharsets.UTF_8));
            }
        }
        if (!different.isEmpty() && !replace) {
            throw new MigrationException(where + ": BUSYKEY: " + different.size() + " key(s) exist on both nodes with different values ("
                    + different.stream().limit(KEYS_NAMED_IN_ERRORS).collect(Collectors.joining(", "))
                    + (different.size() > KEYS_NAMED_IN_ERRORS ? ", ..." : "")
                    + "); the slots are left open; send \"replace\": true to overwrite the target's copies");
        }
        LOG.infof("%s: %d key(s) already on the target (%d identical, %d replaced)", where, busy.size(),
                busy.size() - different.size(), different.size());
        MigrateResult again = retry(() -> asking
                ? redis.migrateAsking(pair.from(), pair.to(), List.of(busy), true, tuning.migrateTimeoutMillis())
                : redis.migrate(pair.from(), pair.to(), List.of(busy), true, tuning.migrateTimeoutMillis())).get(0);
        if (again == MigrateResult.BUSYKEY) {
            throw new MigrationException(where + ": BUSYKEY even with REPLACE");
        }
        return movedBefore + busy.size();
    }

    private void expectOk(List<Optional<String>> errors, String step, String where, boolean tolerateNotMaster) {
        for (Optional<String> e : errors) {
            if (e.isPresent() && !(tolerateNotMaster && e.get().contains("Please use SETSLOT only with masters"))) {
                throw new MigrationException(where + ": " + step + " failed: " + e.get());
            }
        }
    }

    private <T> T retry(java.util.function.Supplier<T> step) {
        return Retry.call(tuning.attempts(), tuning.stepDeadline(), step);
    }

    static String compact(List<Integer> slots) {
        if (slots.isEmpty()) {
            return "[]";
        }
        return slots.size() == 1 ? slots.get(0).toString() : slots.get(0) + ".." + slots.get(slots.size() - 1) + " (" + slots.size() + ")";
    }
}
