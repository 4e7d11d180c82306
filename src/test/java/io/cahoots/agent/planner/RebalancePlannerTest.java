package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.SlotRange;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static io.cahoots.agent.planner.Snapshots.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RebalancePlannerTest {

    private static Plan plan(ClusterSnapshot s, RebalanceOptions o) {
        Plan p = RebalancePlanner.plan(s, o, Optional.empty());
        assertThat(PlanVerifier.verify(s, o, p)).isEmpty();
        return p;
    }

    @Test
    void aBalancedClusterNeedsNothing() {
        Plan p = plan(Snapshots.even(3, 0), RebalanceOptions.defaults());
        assertThat(p.needed()).isFalse();
        assertThat(p.moves()).isEmpty();
        assertThat(p.reason()).contains("within 2.0%");
    }

    @Test
    void anEmptyMasterTakesAQuarterInOneContiguousRangeFromEachSource() {
        Plan p = plan(Snapshots.even(3, 1), RebalanceOptions.defaults());
        assertThat(p.needed()).isTrue();
        assertThat(p.after().values()).containsExactlyInAnyOrder(4096, 4096, 4096, 4096);
        assertThat(p.moves()).hasSize(3).allMatch(m -> m.to().equals(id(3)));
        assertThat(p.moves()).allMatch(m -> m.slots().size() == 1);
        assertThat(p.slotsToMove()).isEqualTo(4096);
        assertThat(p.snapshotVersion()).isEqualTo(7);
    }

    @Test
    void withoutUseEmptyMastersTheEmptyMasterIsLeftAlone() {
        Plan p = plan(Snapshots.even(3, 1), new RebalanceOptions(Map.of(), 2, false));
        assertThat(p.needed()).isFalse();
    }

    @Test
    void targetsFollowWeightsAndCoverEverySlot() {
        Map<String, Double> w = Map.of(id(0), 2.0, id(1), 1.0, id(2), 1.0);
        Plan p = plan(Snapshots.even(3, 0), new RebalanceOptions(w, 2, true));
        assertThat(p.targets()).containsEntry(id(0), 8192).containsEntry(id(1), 4096).containsEntry(id(2), 4096);
        assertThat(p.targets().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(16384);
    }

    @Test
    void roundingHandsTheRemainderOutSoEverySlotHasAnOwner() {
        Plan p = plan(Snapshots.even(7, 0), new RebalanceOptions(Map.of(id(0), 3.0), 0, true));
        assertThat(p.targets().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(16384);
    }

    @Test
    void drainSpreadsOverEveryRemainingMaster() {
        ClusterSnapshot s = Snapshots.even(4, 0);
        Plan p = plan(s, RebalanceOptions.drain(List.of(id(3))));
        assertThat(p.after()).containsEntry(id(3), 0);
        assertThat(p.moves()).hasSize(3).allMatch(m -> m.from().equals(id(3)));
        assertThat(p.moves()).extracting(Move::to).containsExactlyInAnyOrder(id(0), id(1), id(2));
        // Each receiver takes the part of the drained range next to the range it already has where it can.
        assertThat(p.moves().stream().mapToInt(m -> m.slots().size()).sum()).isLessThanOrEqualTo(3);
    }

    @Test
    void cheaperSlotsGoFirstWhenKeyCountsAreKnown() {
        ClusterSnapshot s = Snapshots.of(List.of(
                Snapshots.master(0, List.of(new SlotRange(0, 16383))),
                Snapshots.master(1, List.of())));
        long[] keys = new long[16384];
        Arrays.fill(keys, 0, 8192, 100); // the low half is heavy: the planner should give away the high half
        Plan p = RebalancePlanner.plan(s, RebalanceOptions.defaults(), Optional.of(keys));
        assertThat(p.moves()).singleElement().satisfies(m -> {
            assertThat(m.slots()).containsExactly(new SlotRange(8192, 16383));
            assertThat(m.keys()).isZero();
        });
    }

    @Test
    void badRequestsAreRefusedWithTheReason() {
        ClusterSnapshot s = Snapshots.even(3, 0);
        assertThatThrownBy(() -> RebalancePlanner.plan(s, new RebalanceOptions(Map.of("nope", 1.0), 2, true), Optional.empty()))
                .isInstanceOf(PlanningException.class).hasMessageContaining("unknown master id in weights: nope");
        assertThatThrownBy(() -> RebalancePlanner.plan(s, new RebalanceOptions(
                Map.of(id(0), 0.0, id(1), 0.0, id(2), 0.0), 2, true), Optional.empty()))
                .isInstanceOf(PlanningException.class).hasMessageContaining("every weight is 0");
        assertThatThrownBy(() -> new RebalanceOptions(Map.of(id(0), -1.0), 2, true)).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new RebalanceOptions(Map.of(), 101, true)).hasMessageContaining("between 0 and 100");
        ClusterSnapshot failed = Snapshots.of(List.of(Snapshots.master(0, List.of(new SlotRange(0, 16383)), Health.FAIL),
                Snapshots.master(1, List.of())));
        assertThatThrownBy(() -> RebalancePlanner.plan(failed, RebalanceOptions.defaults(), Optional.empty()))
                .hasMessageContaining("is fail");
    }

    @Test
    void isDeterministic() {
        ClusterSnapshot s = Snapshots.random(new Random(3), 20, 3);
        assertThat(RebalancePlanner.plan(s, RebalanceOptions.defaults(), Optional.empty()))
                .isEqualTo(RebalancePlanner.plan(s, RebalanceOptions.defaults(), Optional.empty()));
    }

    @Test
    void thousandsOfSeededRandomTopologiesVerify() {
        Random random = new Random(20261127);
        for (int i = 0; i < 3000; i++) {
            int n = 1 + random.nextInt(i % 100 == 0 ? 300 : 24);
            ClusterSnapshot s = Snapshots.random(random, n, random.nextInt(3));
            Map<String, Double> weights = new HashMap<>();
            if (random.nextBoolean()) {
                s.masters().forEach(m -> weights.put(m.id(), (double) random.nextInt(4)));
            }
            if (weights.values().stream().allMatch(w -> w == 0)) {
                weights.clear();
            }
            RebalanceOptions o = new RebalanceOptions(weights, random.nextInt(6), random.nextBoolean());
            Plan p;
            try {
                p = RebalancePlanner.plan(s, o, Optional.empty());
            } catch (PlanningException e) {
                assertThat(e).hasMessageContaining("every weight is 0");
                continue;
            }
            assertThat(PlanVerifier.verify(s, o, p)).as("case %d (%d masters)", i, n).isEmpty();
        }
    }

    @Test
    void planningAThousandMastersTakesWellUnderASecond() {
        ClusterSnapshot s = Snapshots.random(new Random(1000), 1000, 50);
        RebalancePlanner.plan(s, RebalanceOptions.defaults(), Optional.empty()); // warm-up
        long t0 = System.nanoTime();
        Plan p = RebalancePlanner.plan(s, RebalanceOptions.defaults(), Optional.of(new long[16384]));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(PlanVerifier.verify(s, RebalanceOptions.defaults(), p)).isEmpty();
        System.out.printf("planning 1,050 masters: %d ms, %d moves, %d slots%n", millis, p.moves().size(), p.slotsToMove());
        assertThat(millis).isLessThan(500);
    }

    /** The first {@code n} moves touch 2n different nodes and carry nearly all the slots. */
    private static void disjointFirst(Plan p, int n) {
        java.util.Set<String> nodes = new java.util.HashSet<>();
        p.moves().subList(0, n).forEach(m -> {
            nodes.add(m.from());
            nodes.add(m.to());
        });
        assertThat(nodes).as("%s", p.moves()).hasSize(2 * n);
        int first = p.moves().subList(0, n).stream().mapToInt(Move::slotCount).sum();
        assertThat(first).isGreaterThan(p.slotsToMove() * 99 / 100);
    }

    @Test
    void aScaleOutFromThreeToSixStartsWithThreeDisjointMoves() {
        Plan p = plan(Snapshots.even(3, 3), RebalanceOptions.defaults());
        assertThat(p.after().values()).allMatch(n -> n == 2730 || n == 2731);
        disjointFirst(p, 3);
    }

    @Test
    void aScaleInFromSixToThreeStartsWithThreeDisjointMoves() {
        ClusterSnapshot s = Snapshots.even(6, 0);
        RebalanceOptions drain = RebalanceOptions.drain(List.of(id(1), id(3), id(5)));
        Plan p = RebalancePlanner.plan(s, drain, Optional.empty());
        assertThat(PlanVerifier.verify(s, drain, p)).isEmpty();
        assertThat(p.after()).containsEntry(id(1), 0).containsEntry(id(3), 0).containsEntry(id(5), 0);
        disjointFirst(p, 3);
    }
}
