package io.cahoots.agent.cluster;

import java.util.List;

/**
 * The result of {@link ClusterCheck}: what {@code redis-cli --cluster check} would complain about.
 *
 * @param agree          every reachable node has the same slot map
 * @param openSlots      slots left migrating or importing
 * @param uncoveredSlots slots no master claims
 * @param multiOwnedSlots slots claimed by more than one master
 * @param failedSlots    slots owned by a master in {@code fail} state
 * @param unreachable    addresses the agent could not read
 * @param problems       one human sentence per finding
 */
public record CheckReport(
        boolean ok,
        boolean agree,
        List<OpenSlot> openSlots,
        List<SlotRange> uncoveredSlots,
        List<SlotRange> multiOwnedSlots,
        List<SlotRange> failedSlots,
        List<HostPort> unreachable,
        List<String> problems) {

    public CheckReport {
        openSlots = List.copyOf(openSlots);
        uncoveredSlots = List.copyOf(uncoveredSlots);
        multiOwnedSlots = List.copyOf(multiOwnedSlots);
        failedSlots = List.copyOf(failedSlots);
        unreachable = List.copyOf(unreachable);
        problems = List.copyOf(problems);
    }

    public int openSlotCount() {
        return (int) openSlots.stream().mapToInt(OpenSlot::slot).distinct().count();
    }
}
