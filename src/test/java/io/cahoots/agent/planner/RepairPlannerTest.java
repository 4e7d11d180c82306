package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterNodesParser;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.SlotRange;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static io.cahoots.agent.planner.Snapshots.id;
import static io.cahoots.agent.planner.Snapshots.master;
import static org.assertj.core.api.Assertions.assertThat;

/** The repair's decisions without any node: who finishes, who owns, who is told. */
class RepairPlannerTest {

    private static final List<SlotRange> FIRST = List.of(new SlotRange(0, 99));
    private static final List<SlotRange> SECOND = List.of(new SlotRange(100, 199));

    /** A master with open-slot markers: {@code migrating}/{@code importing} map a slot to the other node's id. */
    private static ClusterNode open(int i, List<SlotRange> slots, Map<Integer, String> migrating, Map<Integer, String> importing) {
        ClusterNode m = master(i, slots);
        return new ClusterNode(m.id(), m.address(), m.busPort(), m.hostname(), m.clientEndpoint(), m.role(), m.masterId(), m.slots(),
                m.flags(), m.linkConnected(), m.configEpoch(), migrating, importing, Health.OK, m.metrics(), 0, Optional.empty());
    }

    @Test
    void aMoveCutShortIsFinishedForward() {
        List<ClusterNode> masters = List.of(open(0, FIRST, Map.of(5, id(1)), Map.of()), open(1, SECOND, Map.of(), Map.of(5, id(0))));
        assertThat(RepairPlanner.interruptedMove(masters, 5)).contains(new RepairPlanner.InterruptedMove(id(0), id(1)));
    }

    @Test
    void markersThatDoNotPointAtEachOtherAreNotAMoveCutShort() {
        List<ClusterNode> crossed = List.of(open(0, FIRST, Map.of(5, id(2)), Map.of()), open(1, SECOND, Map.of(), Map.of(5, id(0))),
                master(2, List.of()));
        assertThat(RepairPlanner.interruptedMove(crossed, 5)).isEmpty();
        // The importing side owns the slot already (the source's SETSLOT NODE was lost): not a move to finish either.
        List<ClusterNode> turned = List.of(open(0, SECOND, Map.of(5, id(1)), Map.of()), open(1, FIRST, Map.of(), Map.of(5, id(0))));
        assertThat(RepairPlanner.interruptedMove(turned, 5)).isEmpty();
    }

    @Test
    void anOpenSlotGoesToItsOnlyClaimantWhateverTheKeysSay() {
        List<ClusterNode> masters = List.of(open(0, FIRST, Map.of(), Map.of()), open(1, SECOND, Map.of(), Map.of(5, id(0))));
        ClusterNode owner = RepairPlanner.openSlotOwner(masters, 5, Map.of(id(0), 1L, id(1), 500L));
        assertThat(owner.id()).isEqualTo(id(0));
    }

    @Test
    void anOpenSlotClaimedTwiceOrNeverGoesToMostKeysThenToAClaimantThenToFewestSlots() {
        List<ClusterNode> twice = List.of(master(0, FIRST), master(1, List.of(new SlotRange(0, 9))), master(2, SECOND));
        assertThat(RepairPlanner.openSlotOwner(twice, 5, Map.of(id(1), 3L, id(2), 7L)).id()).isEqualTo(id(2));
        assertThat(RepairPlanner.openSlotOwner(twice, 5, Map.of(id(1), 4L, id(0), 4L)).id())
                .as("equal counts: the lowest id").isEqualTo(id(0));
        assertThat(RepairPlanner.openSlotOwner(twice, 5, Map.of()).id()).as("no keys: the first claimant").isEqualTo(id(0));
        List<ClusterNode> never = List.of(master(0, FIRST), master(1, List.of(new SlotRange(300, 300))), master(2, SECOND));
        assertThat(RepairPlanner.openSlotOwner(never, 250, Map.of()).id()).as("no claimant, no keys").isEqualTo(id(1));
    }

    @Test
    void uncoveredSlotsGoToTheirKeysElseToWhoeverHasFewestSlotsCountingWhatWasGiven() {
        List<ClusterNode> masters = List.of(master(0, List.of(new SlotRange(0, 9))), master(1, List.of(new SlotRange(10, 11))));
        BitSet uncovered = new BitSet();
        uncovered.set(20, 30);
        Map<Integer, Map<String, Long>> keys = Map.of(25, Map.of(id(0), 2L));
        Map<String, List<Integer>> owners = RepairPlanner.uncoveredOwners(masters, uncovered, keys);
        // id(1) has 2 slots: it takes 20..27 (reaching 10) except 25, whose keys are on id(0); then they alternate.
        assertThat(owners.get(id(0))).contains(25);
        assertThat(owners.values().stream().mapToInt(List::size).sum()).isEqualTo(10);
        assertThat(owners.get(id(1))).startsWith(20, 21, 22, 23, 24, 26, 27, 28);
    }

    @Test
    void uncoveredSlotsAreSharedEvenlyAmongEqualMastersSeeded() {
        Random random = new Random(20261130);
        for (int round = 0; round < 50; round++) {
            int n = 2 + random.nextInt(6);
            List<ClusterNode> masters = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                masters.add(master(i, List.of(new SlotRange(i * 10, i * 10 + 9))));
            }
            BitSet uncovered = new BitSet();
            int count = 1 + random.nextInt(500);
            uncovered.set(1000, 1000 + count);
            Map<String, List<Integer>> owners = RepairPlanner.uncoveredOwners(masters, uncovered, Map.of());
            assertThat(owners.values().stream().mapToInt(List::size).sum()).isEqualTo(count);
            int max = owners.values().stream().mapToInt(List::size).max().orElse(0);
            int min = masters.stream().mapToInt(m -> owners.getOrDefault(m.id(), List.of()).size()).min().orElse(0);
            assertThat(max - min).as("round " + round).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void aViewNamingADeadOwnerIsToldTheOneClaimantAndNothingElse() {
        ClusterNode a = master(0, FIRST);
        ClusterNode b = master(1, SECOND);
        // b's own view still gives 0-99 to a dead master (it had them importing when the source died) and 150 to a.
        Map<String, List<NodeEntry>> views = new HashMap<>();
        views.put(a.id(), List.of(line(a, "0-99"), line(b, "100-199")));
        views.put(b.id(), List.of(line(b, "100-199"), line(a, "150"), ClusterNodesParser.parseLine(
                id(9) + " 127.0.0.1:20009@30009 master,fail - 0 0 9 disconnected 0-99")));
        Map<String, Map<String, List<Integer>>> stale = RepairPlanner.staleViews(List.of(a, b), views);
        assertThat(stale).containsOnlyKeys(b.id());
        assertThat(stale.get(b.id())).containsOnlyKeys(a.id());
        // 150 is b's own slot in b's view: left alone; 0-99 go to a.
        assertThat(stale.get(b.id()).get(a.id())).hasSize(100).startsWith(0).endsWith(99);
    }

    @Test
    void aContestedSlotIsLeftToTheOpenSlotRepair() {
        ClusterNode a = master(0, FIRST);
        ClusterNode b = master(1, List.of(new SlotRange(50, 50), new SlotRange(100, 199)));
        Map<String, List<NodeEntry>> views = Map.of(a.id(), List.of(line(a, "0-99"), line(b, "50 100-199")),
                b.id(), List.of(line(b, "50 100-199"), line(a, "0-99")));
        assertThat(RepairPlanner.staleViews(List.of(a, b), views)).isEmpty();
    }

    private static NodeEntry line(ClusterNode m, String slots) {
        return ClusterNodesParser.parseLine(m.id() + " " + m.addressText() + "@" + m.busPort() + " master - 0 0 1 connected " + slots);
    }
}
