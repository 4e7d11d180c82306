package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.ClusterCheck;
import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.Role;
import io.cahoots.agent.cluster.SlotRange;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/** Snapshots built directly from slot assignments, fast enough for thousands of random topologies. */
final class Snapshots {

    private Snapshots() {
    }

    static String id(int i) {
        return String.format("%040x", 0xB000 + i);
    }

    static ClusterNode master(int i, List<SlotRange> slots) {
        return master(i, slots, Health.OK);
    }

    static ClusterNode master(int i, List<SlotRange> slots, Health health) {
        return new ClusterNode(id(i), Optional.of(new HostPort("127.0.0.1", 20000 + i)), 30000 + i, Optional.empty(), Optional.empty(),
                Role.MASTER, Optional.empty(), SlotRange.normalise(slots), Set.of(), true, i, Map.of(), Map.of(), health,
                Optional.empty(), 0, Optional.empty());
    }

    static ClusterSnapshot of(List<ClusterNode> nodes) {
        return new ClusterSnapshot(7, Instant.EPOCH, Duration.ZERO, "ok", nodes, ClusterCheck.check(List.of(), nodes), "k");
    }

    /** n masters sharing the slots evenly, plus {@code empty} masters with none. */
    static ClusterSnapshot even(int n, int empty) {
        List<ClusterNode> nodes = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            int size = SlotRange.SLOT_COUNT / n + (i < SlotRange.SLOT_COUNT % n ? 1 : 0);
            nodes.add(master(i, List.of(new SlotRange(start, start + size - 1))));
            start += size;
        }
        for (int i = 0; i < empty; i++) {
            nodes.add(master(n + i, List.of()));
        }
        return of(nodes);
    }

    /** Every slot given to a random master of {@code n} (skewed), so ownership is fragmented and uneven. */
    static ClusterSnapshot random(Random random, int n, int empty) {
        BitSet[] bits = new BitSet[n];
        for (int i = 0; i < n; i++) {
            bits[i] = new BitSet();
        }
        int slot = 0;
        while (slot < SlotRange.SLOT_COUNT) {
            int owner = (int) Math.floor(Math.pow(random.nextDouble(), 2) * n);
            int run = 1 + random.nextInt(random.nextBoolean() ? 8 : 2000);
            int end = Math.min(SlotRange.SLOT_COUNT, slot + run);
            bits[owner].set(slot, end);
            slot = end;
        }
        List<ClusterNode> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(master(i, SlotRange.fromBits(bits[i])));
        }
        for (int i = 0; i < empty; i++) {
            nodes.add(master(n + i, List.of()));
        }
        return of(nodes);
    }
}
