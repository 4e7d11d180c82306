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
