package io.cahoots.agent.cluster;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The consistency check, in the manner of {@code redis-cli --cluster check}.
 *
 * <ol>
 *   <li>Agreement: each reachable node's view is reduced to a signature, the sorted list of
 *       {@code masterId:slots} for masters that hold slots; the cluster agrees when all signatures match.</li>
 *   <li>Open slots: the {@code [slot->-id]} / {@code [slot-<-id]} markers on each node's own line.</li>
 *   <li>Ownership: each master's slots as it claims them itself (peers' view when it is unreachable);
 *       a slot nobody claims is uncovered, a slot two masters claim is multi-owned.</li>
 *   <li>Failed slots: slots of masters flagged {@code fail}.</li>
 * </ol>
 */
public final class ClusterCheck {

    private ClusterCheck() {
    }

    public static CheckReport check(Collection<NodeObservation> observations, List<ClusterNode> nodes) {
        List<String> problems = new ArrayList<>();

        Set<String> signatures = new TreeSet<>();
        // Nodes read the cheap way share the view object of a node with the same digest: one signature each.
        Set<List<NodeEntry>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (NodeObservation o : observations) {
            if (o.reachable() && !o.view().isEmpty() && seen.add(o.view())) {
                signatures.add(signature(o.view()));
            }
        }
        boolean agree = signatures.size() <= 1;
        if (!agree) {
            problems.add("nodes don't agree about the slot map (" + signatures.size() + " different views)");
        }

        List<OpenSlot> open = new ArrayList<>();
        for (ClusterNode n : nodes) {
            n.migrating().forEach((slot, peer) -> open.add(new OpenSlot(slot, n.id(), OpenSlot.State.MIGRATING, peer)));
            n.importing().forEach((slot, peer) -> open.add(new OpenSlot(slot, n.id(), OpenSlot.State.IMPORTING, peer)));
        }
        open.sort(null);
        for (OpenSlot s : open) {
            problems.add("slot " + s.slot() + " is " + s.state().name().toLowerCase() + " on " + s.nodeId()
                    + (s.state() == OpenSlot.State.MIGRATING ? " to " : " from ") + s.peerId());
        }

        BitSet covered = new BitSet(SlotRange.SLOT_COUNT);
        BitSet multi = new BitSet(SlotRange.SLOT_COUNT);
        BitSet failed = new BitSet(SlotRange.SLOT_COUNT);
        for (ClusterNode n : nodes) {
            if (!n.isMaster()) {
                continue;
            }
            BitSet mine = SlotRange.toBits(n.slots());
            BitSet overlap = (BitSet) mine.clone();
            overlap.and(covered);
            multi.or(overlap);
            covered.or(mine);
            if (n.flags().contains(NodeFlag.FAIL)) {
                failed.or(mine);
            }
        }
        BitSet uncovered = new BitSet(SlotRange.SLOT_COUNT);
        // With no node read there is no slot map to judge; "every slot uncovered" would only mislead.
        if (!nodes.isEmpty()) {
            uncovered.set(0, SlotRange.SLOT_COUNT);
        }
        uncovered.andNot(covered);
        List<SlotRange> uncoveredRanges = SlotRange.fromBits(uncovered);
        List<SlotRange> multiRanges = SlotRange.fromBits(multi);
        List<SlotRange> failedRanges = SlotRange.fromBits(failed);
        if (!uncovered.isEmpty()) {
            problems.add(uncovered.cardinality() + " slots are not covered: " + abbreviate(uncoveredRanges));
        }
        if (!multi.isEmpty()) {
            problems.add(multi.cardinality() + " slots are claimed by more than one master: " + abbreviate(multiRanges));
        }
        if (!failed.isEmpty()) {
            problems.add(failed.cardinality() + " slots belong to failed masters: " + abbreviate(failedRanges));
        }

        List<HostPort> unreachable = new ArrayList<>();
        for (NodeObservation o : observations) {
            if (!o.reachable()) {
                unreachable.add(o.address());
                problems.add(o.address() + " is unreachable: " + o.error().orElse("unknown error"));
            }
        }
        unreachable.sort(null);

        boolean ok = problems.isEmpty();
        return new CheckReport(ok, agree, open, uncoveredRanges, multiRanges, failedRanges, unreachable, problems);
    }

    /** The slot map as one node sees it, in a form that compares equal across nodes. */
    static String signature(List<NodeEntry> view) {
        Map<String, String> owners = new TreeMap<>();
        for (NodeEntry e : view) {
            if (e.master() && !e.slots().isEmpty()) {
                owners.put(e.id(), e.slots().toString());
            }
        }
        return owners.toString();
    }

    private static String abbreviate(List<SlotRange> ranges) {
        String all = ranges.toString();
        return all.length() <= 120 ? all : all.substring(0, 117) + "...";
    }
}
