package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.SlotRange;

import java.util.Optional;

/**
 * What the agent measured per slot: keys ({@code COUNTKEYSINSLOT}) and, for a memory balance, estimated bytes.
 *
 * @param keys  length 16384
 * @param bytes length 16384 when measured
 */
public record SlotSizes(long[] keys, Optional<long[]> bytes) {

    public SlotSizes {
        if (keys.length != SlotRange.SLOT_COUNT || bytes.map(b -> b.length != SlotRange.SLOT_COUNT).orElse(false)) {
            throw new IllegalArgumentException("per-slot sizes need " + SlotRange.SLOT_COUNT + " entries");
        }
    }

    public static SlotSizes keysOnly(long[] keys) {
        return new SlotSizes(keys, Optional.empty());
    }

    /** The per-slot figure a balance equalises; empty for {@link Balance#SLOTS}. */
    Optional<long[]> measure(Balance balance) {
        return switch (balance) {
            case SLOTS -> Optional.empty();
            case KEYS -> Optional.of(keys);
            case MEMORY -> Optional.of(bytes.orElseThrow(() -> new PlanningException("a memory balance needs per-slot bytes")));
        };
    }
}
