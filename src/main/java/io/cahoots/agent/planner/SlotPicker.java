package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.SlotRange;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses which {@code n} slots a source gives to a target (step 5 of {@link RebalancePlanner}).
 *
 * <ol>
 *   <li>If one of the source's ranges holds {@code n} slots, take a window of {@code n} at one of its two
 *       edges: one fragment, and the source keeps a contiguous remainder. Prefer a window adjacent to a
 *       range the target already owns, then fewer keys, then the lowest slot.</li>
 *   <li>Otherwise take the source's largest range whole (ties: fewer keys, lowest slot) and repeat.</li>
 * </ol>
 */
final class SlotPicker {

    private SlotPicker() {
    }

    static BitSet pick(BitSet source, BitSet target, int n, long[] prefixKeys) {
        BitSet picked = new BitSet();
        List<SlotRange> ranges = new ArrayList<>(SlotRange.fromBits(source));
        int left = n;
        while (left > 0) {
            SlotRange best = null;
            long[] bestScore = null;
            for (SlotRange r : ranges) {
                if (r.size() < left) {
                    continue;
                }
                for (SlotRange w : List.of(new SlotRange(r.start(), r.start() + left - 1), new SlotRange(r.end() - left + 1, r.end()))) {
                    long[] score = {adjacent(w, target) ? 0 : 1, keys(w, prefixKeys), w.start()};
                    if (bestScore == null || compare(score, bestScore) < 0) {
                        best = w;
                        bestScore = score;
                    }
                }
            }
            if (best == null) {
                best = ranges.stream().min(Comparator.comparingInt(SlotRange::size).reversed()
                        .thenComparingLong(r -> keys(r, prefixKeys)).thenComparingInt(SlotRange::start)).orElseThrow(
                        () -> new IllegalStateException("source has fewer than " + n + " slots"));
            }
            picked.set(best.start(), best.end() + 1);
            ranges.remove(best);
            left -= best.size();
        }
        return picked;
    }

    /**
     * Chooses slots of the source whose load (per-slot measure, as prefix sums) comes closest to {@code amount}, for a
     * keys or memory balance.
     *
     * <ol>
     *   <li>Candidates: for each of the source's ranges, the windows at its two edges just below and just above the
     *       amount (a window over slots without load is as short as it can be), and the whole range when it holds less.</li>
     *   <li>The best is the one closest to the amount; ties: adjacent to the target, fewer slots, lowest slot.</li>
     *   <li>While even the source's largest range holds less than what is left, it is taken whole (the closest
     *       candidate), and the rest is looked for in the others; a window ends the pick.</li>
     * </ol>
     */
    static BitSet pickLoad(BitSet source, BitSet target, long amount, long[] prefix) {
        BitSet picked = new BitSet();
        // Largest load first: while even the largest range holds less than what is left, it is the best candidate.
        List<SlotRange> ranges = new ArrayList<>(SlotRange.fromBits(source));
        ranges.sort(Comparator.comparingLong((SlotRange r) -> keys(r, prefix)).reversed()
                .thenComparingInt(SlotRange::size).thenComparingInt(SlotRange::start));
        long left = amount;
        int next = 0;
        while (left > 0 && next < ranges.size() && keys(ranges.get(next), prefix) < left) {
            SlotRange whole = ranges.get(next++);
            if (keys(whole, prefix) == 0) {
                return picked;
            }
            picked.set(whole.start(), whole.end() + 1);
            left -= keys(whole, prefix);
        }
        if (left <= 0 || next == ranges.size()) {
            return picked;
        }
        SlotRange best = null;
        long[] bestScore = null;
        for (SlotRange r : ranges.subList(next, ranges.size())) {
            for (SlotRange w : edgeWindows(r, left, prefix)) {
                long[] score = {Math.abs(keys(w, prefix) - left), adjacent(w, target) ? 0 : 1, w.size(), w.start()};
                if (bestScore == null || compare(score, bestScore) < 0) {
                    best = w;
                    bestScore = score;
                }
            }
        }
        if (best != null && keys(best, prefix) > 0) {
            picked.set(best.start(), best.end() + 1);
        }
        return picked;
    }

    /** The windows at both edges of {@code r} whose load is just below and just above {@code amount}. */
    private static List<SlotRange> edgeWindows(SlotRange r, long amount, long[] prefix) {
        List<SlotRange> out = new ArrayList<>(4);
        for (boolean fromStart : new boolean[] {true, false}) {
            // load(len) grows with len; find the shortest len whose load reaches the amount.
            int lo = 1;
            int hi = r.size();
            if (windowLoad(r, hi, fromStart, prefix) < amount) {
                out.add(r);
                continue;
            }
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (windowLoad(r, mid, fromStart, prefix) >= amount) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            out.add(window(r, lo, fromStart));
            if (lo > 1) {
                // Just below: the shortest window with the load of len - 1 (no slots without load at its far end).
                long below = windowLoad(r, lo - 1, fromStart, prefix);
                int a = 1;
                int b = lo - 1;
                while (a < b) {
                    int mid = (a + b) >>> 1;
                    if (windowLoad(r, mid, fromStart, prefix) >= below) {
                        b = mid;
                    } else {
                        a = mid + 1;
                    }
                }
                if (below > 0) {
                    out.add(window(r, a, fromStart));
                }
            }
        }
        return out;
    }

    private static SlotRange window(SlotRange r, int len, boolean fromStart) {
        return fromStart ? new SlotRange(r.start(), r.start() + len - 1) : new SlotRange(r.end() - len + 1, r.end());
    }

    private static long windowLoad(SlotRange r, int len, boolean fromStart, long[] prefix) {
        return keys(window(r, len, fromStart), prefix);
    }

    private static boolean adjacent(SlotRange w, BitSet target) {
        return (w.start() > 0 && target.get(w.start() - 1)) || (w.end() < SlotRange.SLOT_COUNT - 1 && target.get(w.end() + 1));
    }

    private static long keys(SlotRange r, long[] prefix) {
        return prefix[r.end() + 1] - prefix[r.start()];
    }

    private static int compare(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            int c = Long.compare(a[i], b[i]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
