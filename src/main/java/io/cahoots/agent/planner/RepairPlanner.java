package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.SlotRange;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The repair's decisions, as pure functions of what the fixer read: the masters (with their slots and open-slot
 * markers), each master's own view, and key counts per slot. {@code executor/ClusterFixer} reads, asks here, then
 * acts; this class says who owns what and never touches a node.
 *
 * <ul>
 *   <li>{@link #staleViews}: the slots each master's view gives to someone else than the one master that claims them.</li>
 *   <li>{@link #interruptedMove}: an open slot that is a move cut short (one master migrating to a second that
 *       imports from it, and the first still owning it) is finished forward.</li>
 *   <li>{@link #openSlotOwner}: any other open slot goes to the one master claiming it, or, when none or several do,
 *       to the master holding most of its keys, else to a claimant, else to the master with the fewest slots.</li>
 *   <li>{@link #uncoveredOwners}: an uncovered slot goes to the master holding most of its keys, else to the master
 *       with the fewest slots, counting the slots given so far.</li>
 * </ul>
 */
public final class RepairPlanner {

    private RepairPlanner() {
    }

    /** A move to finish: the slot stays with {@code fromId} until its keys are on {@code toId}. */
    public record InterruptedMove(String fromId, String toId) {
    }

    /**
     * For each master (by id, in the order given), the owner each slot should have in its view, where its view names
     * another master than the only master claiming the slot itself. Slots claimed by several masters, or by none, are
     * left to the open- and uncovered-slot repairs; a master's view of its own slots is left alone.
     *
     * @param views each master's own {@code CLUSTER NODES}, by the master's id
     */
    public static Map<String, Map<String, List<Integer>>> staleViews(List<ClusterNode> masters, Map<String, List<NodeEntry>> views) {
        Map<Integer, String> claimant = new HashMap<>();
        BitSet contested = new BitSet(SlotRange.SLOT_COUNT);
        for (ClusterNode m : masters) {
            for (SlotRange r : m.slots()) {
                for (int slot = r.start(); slot <= r.end(); slot++) {
                    if (claimant.putIfAbsent(slot, m.id()) != null) {
                        contested.set(slot);
                    }
                }
            }
        }
        Map<String, Map<String, List<Integer>>> out = new LinkedHashMap<>();
        for (ClusterNode m : masters) {
            Map<String, List<Integer>> rebind = new TreeMap<>();
            for (NodeEntry e : views.getOrDefault(m.id(), List.of())) {
                if (!e.master() || e.id().equals(m.id())) {
                    continue;
                }
                for (SlotRange r : e.slots()) {
                    for (int slot = r.start(); slot <= r.end(); slot++) {
                        String owner = claimant.get(slot);
                        if (owner != null && !contested.get(slot) && !owner.equals(e.id()) && !owner.equals(m.id())) {
                            rebind.computeIfAbsent(owner, k -> new ArrayList<>()).add(slot);
                        }
                    }
                }
            }
            if (!rebind.isEmpty()) {
                out.put(m.id(), rebind);
            }
        }
        return out;
    }

    /** The move cut short that left {@code slot} open, if that is what it is. */
    public static Optional<InterruptedMove> interruptedMove(List<ClusterNode> masters, int slot) {
        List<ClusterNode> owners = owners(masters, slot);
        List<ClusterNode> migrating = masters.stream().filter(m -> m.migrating().containsKey(slot)).toList();
        List<ClusterNode> importing = masters.stream().filter(m -> m.importing().containsKey(slot)).toList();
        if (migrating.size() != 1 || importing.size() != 1 || owners.size() != 1) {
            return Optional.empty();
        }
        ClusterNode from = migrating.get(0);
        ClusterNode to = importing.get(0);
        boolean matched = owners.get(0).id().equals(from.id()) && from.migrating().get(slot).equals(to.id())
                && to.importing().get(slot).equals(from.id());
        return matched ? Optional.of(new InterruptedMove(from.id(), to.id())) : Optional.empty();
    }

    /**
     * Who closes an open slot that is not a move cut short.
     *
     * @param keys the slot's key count on each master, by id
     */
    public static ClusterNode openSlotOwner(List<ClusterNode> masters, int slot, Map<String, Long> keys) {
        List<ClusterNode> owners = owners(masters, slot);
        if (owners.size() == 1) {
            return owners.get(0);
        }
        return mostKeys(masters, keys).orElseGet(() -> owners.isEmpty() ? fewestSlots(masters) : owners.get(0));
    }

    /**
     * Owners of the uncovered slots, by owner id (in id order), each with its slots in ascending order.
     *
     * @param keysBySlot each uncovered slot's key count on each master, by id
     */
    public static Map<String, List<Integer>> uncoveredOwners(List<ClusterNode> masters, BitSet uncovered,
                                                             Map<Integer, Map<String, Long>> keysBySlot) {
        if (masters.isEmpty() && !uncovered.isEmpty()) {
            throw new PlanningException("no master answers");
        }
        Map<String, Integer> slotCounts = new HashMap<>();
        masters.forEach(m -> slotCounts.put(m.id(), m.slotCount()));
        Map<String, List<Integer>> out = new TreeMap<>();
        for (int slot = uncovered.nextSetBit(0); slot >= 0; slot = uncovered.nextSetBit(slot + 1)) {
            ClusterNode owner = mostKeys(masters, keysBySlot.getOrDefault(slot, Map.of())).orElseGet(() -> masters.stream()
                    .min(Comparator.comparingInt((ClusterNode m) -> slotCounts.get(m.id())).thenComparing(ClusterNode::id))
                    .orElseThrow());
            slotCounts.merge(owner.id(), 1, Integer::sum);
            out.computeIfAbsent(owner.id(), k -> new ArrayList<>()).add(slot);
        }
        return out;
    }

    /** Masters that claim {@code slot} themselves. */
    public static List<ClusterNode> owners(List<ClusterNode> masters, int slot) {
        return masters.stream().filter(m -> owns(m, slot)).toList();
    }

    public static boolean owns(ClusterNode m, int slot) {
        return m.slots().stream().anyMatch(r -> r.contains(slot));
    }

    private static Optional<ClusterNode> mostKeys(List<ClusterNode> masters, Map<String, Long> keys) {
        return masters.stream().filter(m -> keys.getOrDefault(m.id(), 0L) > 0)
                .max(Comparator.comparingLong((ClusterNode m) -> keys.get(m.id())).thenComparing(ClusterNode::id,
                        Comparator.reverseOrder()));
    }

    private static ClusterNode fewestSlots(List<ClusterNode> masters) {
        return masters.stream().min(Comparator.comparingInt(ClusterNode::slotCount).thenComparing(ClusterNode::id))
                .orElseThrow(() -> new PlanningException("no master answers"));
    }
}
