package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.SlotRange;

import java.util.List;

/**
 * Slots to move from one master to another.
 *
 * @param keys estimated keys in those slots (from per-slot counts), -1 when unknown
 */
public record Move(String from, String to, List<SlotRange> slots, long keys) {

    public Move {
        slots = List.copyOf(slots);
    }

    public int slotCount() {
        return SlotRange.count(slots);
    }

    public Move withKeys(long estimate) {
        return new Move(from, to, slots, estimate);
    }
}
