package io.cahoots.agent.cluster;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;

/** An inclusive range of hash slots, {@code [start, end]}, within 0..16383. */
public record SlotRange(int start, int end) implements Comparable<SlotRange> {

    public static final int SLOT_COUNT = 16384;

    public SlotRange {
        if (start < 0 || end >= SLOT_COUNT || start > end) {
            throw new IllegalArgumentException("invalid slot range " + start + "-" + end);
        }
    }

    public static SlotRange of(int slot) {
        return new SlotRange(slot, slot);
    }

    /** Parses {@code 5}, or {@code 0-5460} as printed by CLUSTER NODES. */
    public static SlotRange parse(String text) {
        int dash = text.indexOf('-');
        try {
            if (dash < 0) {
                return of(Integer.parseInt(text));
            }
            return new SlotRange(Integer.parseInt(text.substring(0, dash)), Integer.parseInt(text.substring(dash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid slot range '" + text + "'");
        }
    }

    public int size() {
        return end - start + 1;
    }

    public boolean contains(int slot) {
        return slot >= start && slot <= end;
    }

    /** The set bits of {@code slots} as the fewest sorted ranges. */
    public static List<SlotRange> fromBits(BitSet slots) {
        List<SlotRange> out = new ArrayList<>();
        int start = slots.nextSetBit(0);
        while (start >= 0) {
            int end = slots.nextClearBit(start) - 1;
            out.add(new SlotRange(start, end));
            start = slots.nextSetBit(end + 1);
        }
        return out;
    }

    public static BitSet toBits(Collection<SlotRange> ranges) {
        BitSet bits = new BitSet(SLOT_COUNT);
        for (SlotRange r : ranges) {
            bits.set(r.start, r.end + 1);
        }
        return bits;
    }

    /** Normalises any list of ranges (overlapping, adjacent, unsorted) to the fewest sorted ranges. */
    public static List<SlotRange> normalise(Collection<SlotRange> ranges) {
        return fromBits(toBits(ranges));
    }

    public static int count(Collection<SlotRange> ranges) {
        return toBits(ranges).cardinality();
    }

    @Override
    public int compareTo(SlotRange o) {
        return start != o.start ? Integer.compare(start, o.start) : Integer.compare(end, o.end);
    }

    @Override
    public String toString() {
        return start == end ? Integer.toString(start) : start + "-" + end;
    }
}
