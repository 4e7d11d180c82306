package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.HostPort;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compares source and target key by key after the grace period.
 *
 * <ol>
 *   <li>SCAN the source; for each page read TYPE, DUMP and PTTL of every key on the source and on its owning master,
 *       and compare ({@link Verification#compare}); when only the payloads differ, a per-type canonical digest decides
 *       (the same value may be encoded differently on two nodes).</li>
 *   <li>SCAN every target master; a key there that the source lacks is counted in {@code onlyOnTarget} (a delete the
 *       import missed, or a key the cluster had before the import) -- except the agents' own {@code {cahoots-agent}}
 *       keys (lease, journal).</li>
 *   <li>Keys that differed are read again after the pending changes were applied (a write in flight is not a
 *       difference). Those that still differ are copied once more ({@code repaired}, with examples) and compared
 *       again; what differs after that is the result.</li>
 * </ol>
 * Between pages {@code between} runs: the import keeps following the source (and may be cancelled) while it verifies.
 */
final class Verifier {

    static final int EXAMPLES = 20;
    private static final byte[] AGENT_PREFIX = "{cahoots-agent}".getBytes(StandardCharsets.UTF_8);
    private static final int RECHECK_ROUNDS = 3;

    private final ImportCommands redis;
    private final SlotOwners owners;
    private final long toleranceMillis;
    private final int batch;
    private final Runnable between;
    private final java.util.function.Consumer<List<byte[]>> repair;
    private List<String> repairedExamples = List.of();

    private final boolean mayDelete;

    Verifier(ImportCommands redis, SlotOwners owners, long toleranceMillis, int batch, Runnable between,
             java.util.function.Consumer<List<byte[]>> repair, boolean mayDelete) {
        this.mayDelete = mayDelete;
        this.repair = repair;
        this.redis = redis;
        this.owners = owners;
        this.toleranceMillis = toleranceMillis;
        this.batch = batch;
        this.between = between;
    }

    ImportStatus.Verified run(HostPort source) {
        long checked = 0;
        List<byte[]> suspects = new ArrayList<>();
        String cursor = "0";
        do {
            between.run();
            ImportCommands.ScanPage page = redis.scan(source, cursor, batch);
            checked += page.keys().size();
            suspects.addAll(differing(source, page.keys()));
            cursor = page.cursor();
        } while (!"0".equals(cursor));
        List<byte[]> extra = new ArrayList<>();
        for (HostPort master : owners.masters()) {
            cursor = "0";
            do {
                between.run();
                ImportCommands.ScanPage page = redis.scan(master, cursor, batch);
                List<KeyState> onSource = redis.probe(source, page.keys());
                for (int i = 0; i < onSource.size(); i++) {
                    if (!onSource.get(i).exists() && !agentOwn(page.keys().get(i))) {
                        extra.add(page.keys().get(i));
                    }
                }
                cursor = page.cursor();
            } while (!"0".equals(cursor));
        }
        suspects.addAll(extra);
        // Re-read what differed once the changes in flight landed; a key that settles is no difference.
        for (int round = 0; round < RECHECK_ROUNDS && !suspects.isEmpty(); round++) {
            SourceFollower.sleep(200);
            between.run();
            between.run();
            List<byte[]> still = new ArrayList<>();
            for (int from = 0; from < suspects.size(); from += batch) {
                still.addAll(differing(source, suspects.subList(from, Math.min(suspects.size(), from + batch))));
            }
            suspects = still;
        }
        // What still differs is copied once more and compared again: the cluster ends consistent with the source, and
        // the result says how many keys needed it (a non-zero count means a change escaped the follow phase).
        long repaired = 0;
        // Without a target empty at the start, a key only the target has may be someone else's: never deleted.
        java.util.Set<java.nio.ByteBuffer> others = new java.util.HashSet<>();
        if (!mayDelete) {
            extra.forEach(k -> others.add(java.nio.ByteBuffer.wrap(k)));
        }
        List<byte[]> repairable = suspects.stream().filter(k -> !others.contains(java.nio.ByteBuffer.wrap(k))).toList();
        if (!repairable.isEmpty()) {
            for (int from = 0; from < repairable.size(); from += batch) {
                repair.accept(repairable.subList(from, Math.min(repairable.size(), from + batch)));
            }
            between.run();
            List<byte[]> still = new ArrayList<>();
            for (int from = 0; from < suspects.size(); from += batch) {
                still.addAll(differing(source, suspects.subList(from, Math.min(suspects.size(), from + batch))));
            }
            repaired = suspects.size() - still.size();
            repairedExamples = repairable.stream().limit(EXAMPLES).map(k -> new String(k, StandardCharsets.UTF_8)).toList();
            suspects = still;
        }
        Verification.Tally tally = new Verification.Tally();
        List<String> examples = new ArrayList<>();
        long onlyOnTarget = 0;
        for (int from = 0; from < suspects.size(); from += batch) {
            List<byte[]> keys = suspects.subList(from, Math.min(suspects.size(), from + batch));
            List<Optional<Verification.Difference>> diffs = compare(source, keys);
            for (int i = 0; i < keys.size(); i++) {
                Optional<Verification.Difference> d = diffs.get(i);
                if (d.isEmpty()) {
                    continue;
                }
                if (d.get() == Verification.Difference.UNEXPECTED) {
                    onlyOnTarget++;
                } else {
                    tally.add(d.get());
                }
                if (examples.size() < EXAMPLES) {
                    examples.add(new String(keys.get(i), StandardCharsets.UTF_8) + ": " + d.get());
                }
            }
        }
        return new ImportStatus.Verified(checked, tally.differences(), tally.counts(), onlyOnTarget, examples, repaired,
                repairedExamples);
    }

    /** The agents' own state in the cluster (execution lease, job journal): not the import's business. */
    static boolean agentOwn(byte[] key) {
        return key.length >= AGENT_PREFIX.length
                && Arrays.equals(key, 0, AGENT_PREFIX.length, AGENT_PREFIX, 0, AGENT_PREFIX.length);
    }

    private List<byte[]> differing(HostPort source, List<byte[]> keys) {
        List<Optional<Verification.Difference>> diffs = compare(source, keys);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            if (diffs.get(i).isPresent()) {
                out.add(keys.get(i));
            }
        }
        return out;
    }

    /** Per key, the difference between source and target, if any. */
    private List<Optional<Verification.Difference>> compare(HostPort source, List<byte[]> keys) {
        List<KeyState> src = redis.probe(source, keys);
        KeyState[] dst = new KeyState[keys.size()];
        List<Integer> index = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            index.add(i);
        }
        for (Map.Entry<HostPort, List<Integer>> g : owners.group(index, keys::get).entrySet()) {
            if (g.getKey() == null) {
                g.getValue().forEach(i -> dst[i] = KeyState.ABSENT);
                continue;
            }
            List<KeyState> read = redis.probe(g.getKey(), g.getValue().stream().map(keys::get).toList());
            for (int k = 0; k < read.size(); k++) {
                dst[g.getValue().get(k)] = read.get(k);
            }
        }
        List<Optional<Verification.Difference>> out = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            Optional<Verification.Difference> d = Verification.compare(src.get(i), dst[i], toleranceMillis);
            if (d.isPresent() && d.get() == Verification.Difference.VALUE) {
                byte[] a = redis.canonical(source, keys.get(i), src.get(i).type());
                byte[] b = redis.canonical(owners.ownerOf(keys.get(i)), keys.get(i), dst[i].type());
                if (Arrays.equals(a, b)) {
                    KeyState s = new KeyState(src.get(i).type(), a, src.get(i).pttl());
                    KeyState t = new KeyState(dst[i].type(), b, dst[i].pttl());
                    d = Verification.compare(s, t, toleranceMillis);
                }
            }
            out.add(d);
        }
        return out;
    }
}
