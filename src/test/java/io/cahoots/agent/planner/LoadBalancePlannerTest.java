package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.SlotRange;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static io.cahoots.agent.planner.Snapshots.id;
import static org.assertj.core.api.Assertions.assertThat;

/** Keys and memory balances: named fixtures, then seeded random topologies and sizes through the verifier. */
class LoadBalancePlannerTest {

    private static final RebalanceOptions MEMORY = RebalanceOptions.defaults().withBalance(Balance.MEMORY);

    private static Plan plan(ClusterSnapshot s, RebalanceOptions o, SlotSizes sizes) {
        Plan p = RebalancePlanner.plan(s, o, sizes);
        assertThat(PlanVerifier.verify(s, o, p, sizes)).isEmpty();
        return p;
    }

    /** Every slot of master {@code heavy} holds {@code factor} times the bytes of the others' (keys equal). */
    private static SlotSizes oneHeavyMaster(ClusterSnapshot s, int heavy, int factor) {
        long[] keys = new long[SlotRange.SLOT_COUNT];
        long[] bytes = new long[SlotRange.SLOT_COUNT];
        for (ClusterNode m : s.masters()) {
            for (SlotRange r : m.slots()) {
                for (int slot = r.start(); slot <= r.end(); slot++) {
                    keys[slot] = 60;
                    bytes[slot] = 60 * 100L * (m.id().equals(id(heavy)) ? factor : 1);
                }
            }
        }
        return new SlotSizes(keys, Optional.of(bytes));
    }

    private static double spread(Map<String, Long> load) {
        double mean = load.values().stream().mapToLong(Long::longValue).average().orElseThrow();
        return load.values().stream().mapToDouble(v -> Math.abs(v - mean) / mean).max().orElseThrow();
    }

    @Test
    void aMasterWithThreeTimesTheBytesAtEqualSlotCountsEndsWithinTenPercentOfEqual() {
        ClusterSnapshot s = Snapshots.even(3, 0);
        SlotSizes sizes = oneHeavyMaster(s, 0, 3);
        Plan p = plan(s, MEMORY, sizes);
        assertThat(p.needed()).isTrue();
        assertThat(p.balance()).isEqualTo(Balance.MEMORY);
        assertThat(spread(p.bytesBefore())).isGreaterThan(0.5);
        assertThat(spread(p.bytesAfter())).isLessThan(0.10);
        assertThat(p.moves()).allMatch(m -> m.from().equals(id(0)));
        assertThat(p.moves()).allMatch(m -> m.slots().size() == 1); // one contiguous window per move
        // The heavy master keeps about 5/9 of its slots (3 units of 5, to 5/3 each).
        assertThat(p.after().get(id(0))).isBetween(2980, 3090);
        assertThat(p.keysAfter().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(16384 * 60L);
    }

    @Test
    void aSlotBalanceOfTheSameClusterSeesNothingToDoButReportsTheBytes() {
        ClusterSnapshot s = Snapshots.even(3, 0);
        Plan p = plan(s, RebalanceOptions.defaults(), oneHeavyMaster(s, 0, 3));
        assertThat(p.needed()).isFalse();
        assertThat(p.bytesBefore()).containsEntry(id(0), 5462 * 18_000L);
        assertThat(p.bytesAfter()).isEqualTo(p.bytesBefore());
    }

    @Test
    void aKeysBalanceEqualisesKeysNotSlots() {
        ClusterSnapshot s = Snapshots.even(4, 0);
        long[] keys = new long[SlotRange.SLOT_COUNT];
        for (int slot = 0; slot < SlotRange.SLOT_COUNT; slot++) {
            keys[slot] = slot < 4096 ? 200 : 20; // master 0 holds 10x the keys of each other
        }
        RebalanceOptions o = RebalanceOptions.defaults().withBalance(Balance.KEYS);
        Plan p = plan(s, o, SlotSizes.keysOnly(keys));
        assertThat(spread(p.keysBefore())).isGreaterThan(1);
        assertThat(spread(p.keysAfter())).isLessThan(0.02);
        assertThat(p.bytesAfter()).isEmpty();
    }

    @Test
    void anEmptyMasterTakesAQuarterOfTheMemory() {
        ClusterSnapshot s = Snapshots.even(3, 1);
        Plan p = plan(s, MEMORY, oneHeavyMaster(s, 1, 2));
        assertThat(p.bytesBefore()).containsEntry(id(3), 0L);
        assertThat(spread(p.bytesAfter())).isLessThan(0.02);
        assertThat(p.moves()).allMatch(m -> m.to().equals(id(3)) || m.from().equals(id(1)));
    }

    @Test
    void weightsSetEachMastersShareAndWeightZeroDrainsEvenSlotsWithoutKeys() {
        ClusterSnapshot s = Snapshots.even(3, 0);
        long[] keys = new long[SlotRange.SLOT_COUNT];
        long[] bytes = new long[SlotRange.SLOT_COUNT];
        for (int slot = 0; slot < 8000; slot++) { // slots 8000.. (part of master 1 and all of 2) hold nothing
            keys[slot] = 10;
            bytes[slot] = 1000;
        }
        RebalanceOptions o = new RebalanceOptions(Map.of(id(0), 2.0, id(1), 1.0, id(2), 0.0), 0, true, Balance.MEMORY);
        Plan p = plan(s, o, new SlotSizes(keys, Optional.of(bytes)));
        assertThat(p.after()).containsEntry(id(2), 0);
        assertThat(p.bytesAfter().get(id(0)) / (double) p.bytesAfter().get(id(1))).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void withoutAnyKeysAMemoryBalanceIsASlotBalance() {
        ClusterSnapshot s = Snapshots.even(3, 1);
        Plan p = plan(s, MEMORY, new SlotSizes(new long[SlotRange.SLOT_COUNT], Optional.of(new long[SlotRange.SLOT_COUNT])));
        assertThat(p.balance()).isEqualTo(Balance.SLOTS);
        assertThat(p.reason()).startsWith("no bytes to balance");
        assertThat(p.after().values()).containsOnly(4096);
    }

    @Test
    void aBalancedClusterNeedsNothingAndOneHugeSlotIsNoReasonToMove() {
        ClusterSnapshot s = Snapshots.even(3, 0);
        long[] keys = new long[SlotRange.SLOT_COUNT];
        long[] bytes = new long[SlotRange.SLOT_COUNT];
        java.util.Arrays.fill(keys, 1);
        java.util.Arrays.fill(bytes, 100);
        bytes[0] = 100 * 5000; // one slot as big as a master's share: nothing better exists
        Plan p = plan(s, MEMORY, new SlotSizes(keys, Optional.of(bytes)));
        assertThat(p.needed()).isFalse();
        assertThat(p.reason()).contains("or one slot");
    }

    @Test
    void thousandsOfSeededRandomTopologiesAndSizesVerify() {
        Random random = new Random(20261130);
        int planned = 0;
        for (int i = 0; i < 600; i++) {
            int n = 1 + random.nextInt(i % 100 == 0 ? 200 : 16);
            ClusterSnapshot s = Snapshots.random(random, n, random.nextInt(3));
            Map<String, Double> weights = new HashMap<>();
            if (random.nextBoolean()) {
                s.masters().forEach(m -> weights.put(m.id(), (double) random.nextInt(4)));
            }
            if (weights.values().stream().allMatch(w -> w == 0)) {
                weights.clear();
            }
            long[] keys = new long[SlotRange.SLOT_COUNT];
            long[] bytes = new long[SlotRange.SLOT_COUNT];
            boolean heavyTail = random.nextBoolean();
            for (int slot = 0; slot < SlotRange.SLOT_COUNT; slot++) {
                if (random.nextInt(10) == 0) {
                    continue; // slots without keys
                }
                keys[slot] = 1 + random.nextInt(100);
                long perKey = heavyTail ? (long) (50 / Math.pow(1 - random.nextDouble(), 1.2)) : 50 + random.nextInt(200);
                bytes[slot] = keys[slot] * perKey;
            }
            Balance balance = random.nextBoolean() ? Balance.MEMORY : Balance.KEYS;
            RebalanceOptions o = new RebalanceOptions(weights, random.nextInt(6), random.nextBoolean(), balance);
            SlotSizes sizes = new SlotSizes(keys, Optional.of(bytes));
            Plan p;
            try {
                p = RebalancePlanner.plan(s, o, sizes);
            } catch (PlanningException e) {
                assertThat(e).hasMessageContaining("every weight is 0");
                continue;
            }
            planned++;
            assertThat(PlanVerifier.verify(s, o, p, sizes)).as("case %d (%d masters, %s)", i, n, balance).isEmpty();
        }
        assertThat(planned).isGreaterThan(450);
    }

    @Test
    void planningAThousandMastersByMemoryTakesWellUnderASecond() {
        ClusterSnapshot s = Snapshots.random(new Random(1000), 1000, 50);
        long[] keys = new long[SlotRange.SLOT_COUNT];
        long[] bytes = new long[SlotRange.SLOT_COUNT];
        Random random = new Random(7);
        for (int slot = 0; slot < SlotRange.SLOT_COUNT; slot++) {
            keys[slot] = random.nextInt(100);
            bytes[slot] = keys[slot] * (50 + random.nextInt(5000));
        }
        SlotSizes sizes = new SlotSizes(keys, Optional.of(bytes));
        RebalancePlanner.plan(s, MEMORY, sizes); // warm-up
        long t0 = System.nanoTime();
        Plan p = RebalancePlanner.plan(s, MEMORY, sizes);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(PlanVerifier.verify(s, MEMORY, p, sizes)).isEmpty();
        System.out.printf("memory planning 1,050 masters: %d ms, %d moves, %d slots%n", millis, p.moves().size(), p.slotsToMove());
        assertThat(millis).isLessThan(1000);
    }

    @Test
    void samePlanTwice() {
        ClusterSnapshot s = Snapshots.random(new Random(3), 9, 1);
        SlotSizes sizes = oneHeavyMaster(s, 2, 4);
        assertThat(RebalancePlanner.plan(s, MEMORY, sizes)).isEqualTo(RebalancePlanner.plan(s, MEMORY, sizes));
    }
}
