package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
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
import java.util.TreeSet;

/**
 * Plans a rebalance from a snapshot. Pure and deterministic: same snapshot, options and key counts give
 * the same plan; no clock, no I/O.
 *
 * <ol>
 *   <li>Participants: every master, minus empty masters unless {@code useEmptyMasters}. Unknown ids in
 *       the weights, and unhealthy masters, are refused.</li>
 *   <li>Targets: 16384 x weight / total weight, rounded down, and the remaining slots handed out by
 *       largest remainder (ties by id), so that every slot has exactly one owner.</li>
 *   <li>Nothing to do when every participant is within {@code thresholdPercent} of its target (a drained
 *       master, target 0, must be empty).</li>
 *   <li>Moves, as {@code redis-cli --cluster rebalance} matches them: the master with the largest surplus
 *       gives to the one with the largest deficit, {@code min(surplus, deficit)} slots at a time. A drain
 *       therefore spreads over every remaining master instead of piling onto one.</li>
 *   <li>Which slots (better than redis-cli, which takes them in slot order): whole contiguous windows at
 *       the edge of the source's ranges, so the source stays contiguous and the target gains few
 *       fragments; a window next to a range the target already owns is preferred; among equal windows
 *       the one with fewer keys (when per-slot counts are known); then the lowest slot.</li>
 *   <li>Order: the largest moves first ({@link #largestFirst}), so that moves between disjoint pairs overlap.</li>
 * </ol>
 * With {@link Balance#KEYS} or {@link Balance#MEMORY}, {@link LoadBalancePlanner} plans instead.
 */
public final class RebalancePlanner {

    private RebalancePlanner() {
    }

    /**
     * A plan from measured per-slot sizes: a slot balance (the moves prefer slots with fewer keys), or, for
     * {@link Balance#KEYS} and {@link Balance#MEMORY}, {@link LoadBalancePlanner}. Either way the plan reports each
     * master's keys (and bytes, when measured) before and after.
     */
    public static Plan plan(ClusterSnapshot snapshot, RebalanceOptions options, SlotSizes sizes) {
        Plan p = options.balance() == Balance.SLOTS
                ? plan(snapshot, options, Optional.of(sizes.keys()))
                : LoadBalancePlanner.plan(snapshot, options, participants(snapshot, options), sizes);
        return withSizes(p, snapshot, sizes);
    }

    /** @param keysPerSlot key count of every slot (length 16384), or empty when unknown */
    public static Plan plan(ClusterSnapshot snapshot, RebalanceOptions options, Optional<long[]> keysPerSlot) {
        if (options.balance() != Balance.SLOTS) {
            return plan(snapshot, options, SlotSizes.keysOnly(keysPerSlot.orElseThrow(
                    () -> new PlanningException("a " + options.balance().wire() + " balance needs per-slot sizes"))));
        }
        List<ClusterNode> participants = participants(snapshot, options);

        Map<String, BitSet> owned = new LinkedHashMap<>();
        Map<String, Integer> before = new TreeMap<>();
        int slotsHeld = 0;
        for (ClusterNode m : participants) {
            BitSet bits = SlotRange.toBits(m.slots());
            owned.put(m.id(), bits);
            before.put(m.id(), bits.cardinality());
            slotsHeld += bits.cardinality();
        }
        Map<String, Integer> targets = targets(participants, options, slotsHeld);

        Optional<String> imbalance = firstImbalance(before, targets, options.thresholdPercent());
        if (imbalance.isEmpty()) {
            return new Plan(snapshot.version(), false, "every master is within " + options.thresholdPercent()
                    + "% of its target", List.of(), before, before, targets);
        }

        long[] prefix = prefixSums(keysPerSlot);
        Map<String, Integer> balance = new HashMap<>();
        before.forEach((id, n) -> balance.put(id, n - targets.get(id)));
        Comparator<String> bySurplus = Comparator.<String>comparingInt(balance::get).reversed().thenComparing(id -> id);
        Comparator<String> byDeficit = Comparator.<String>comparingInt(balance::get).thenComparing(id -> id);
        TreeSet<String> sources = new TreeSet<>(bySurplus);
        TreeSet<String> sinks = new TreeSet<>(byDeficit);
        balance.forEach((id, b) -> {
            if (b > 0) {
                sources.add(id);
            } else if (b < 0) {
                sinks.add(id);
            }
        });

        Map<List<String>, BitSet> pairs = new LinkedHashMap<>();
        while (!sources.isEmpty() && !sinks.isEmpty()) {
            String src = sources.pollFirst();
            String dst = sinks.pollFirst();
            int n = Math.min(balance.get(src), -balance.get(dst));
            BitSet picked = SlotPicker.pick(owned.get(src), owned.get(dst), n, prefix);
            owned.get(src).andNot(picked);
            owned.get(dst).or(picked);
            pairs.computeIfAbsent(List.of(src, dst), k -> new BitSet()).or(picked);
            balance.merge(src, -n, Integer::sum);
            balance.merge(dst, n, Integer::sum);
            if (balance.get(src) > 0) {
                sources.add(src);
            }
            if (balance.get(dst) < 0) {
                sinks.add(dst);
            }
        }

        List<Move> moves = new ArrayList<>();
        pairs.forEach((pair, bits) -> moves.add(new Move(pair.get(0), pair.get(1), SlotRange.fromBits(bits),
                keysPerSlot.isPresent() ? keysIn(bits, prefix) : -1)));
        Map<String, Integer> after = new TreeMap<>();
        owned.forEach((id, bits) -> after.put(id, bits.cardinality()));
        return new Plan(snapshot.version(), true, imbalance.get(), largestFirst(moves), before, after, targets);
    }

    /**
     * Step 6: the largest moves first (keys when counted, else slots; ties keep the matching order). A node only gives
     * or only takes, so the order does not change the result; the engine starts moves in this order whenever
     * their two nodes are free, so a scale-out's or scale-in's big moves between disjoint pairs start together and
     * the small remainders fill in after them (longest processing time first).
     */
    static List<Move> largestFirst(List<Move> moves) {
        List<Move> sorted = new ArrayList<>(moves);
        sorted.sort(Comparator.comparingLong((Move m) -> m.keys() > 0 ? m.keys() : 0).reversed()
                .thenComparing(Comparator.comparingInt(Move::slotCount).reversed()));
        return sorted;
    }

    /** Step 1: the masters that take part; refuses unknown ids in the weights and unhealthy masters. */
    static List<ClusterNode> participants(ClusterSnapshot snapshot, RebalanceOptions options) {
        List<ClusterNode> masters = snapshot.masters();
        for (String id : options.weights().keySet()) {
            if (masters.stream().noneMatch(m -> m.id().equals(id))) {
                throw new PlanningException("unknown master id in weights: " + id);
            }
        }
        for (ClusterNode m : masters) {
            if (m.health() != Health.OK && m.health() != Health.PFAIL) {
                throw new PlanningException("master " + m.id() + " (" + m.addressText() + ") is " + m.health().wire());
            }
        }
        List<ClusterNode> participants = masters.stream()
                .filter(m -> options.useEmptyMasters() || m.slotCount() > 0)
                .sorted(Comparator.comparing(ClusterNode::id)).toList();
        double totalWeight = participants.stream().mapToDouble(m -> options.weightOf(m.id())).sum();
        if (participants.isEmpty() || totalWeight <= 0) {
            throw new PlanningException("no master may hold slots: every weight is 0");
        }
        return participants;
    }

    /** Each master's keys (and bytes) before the plan and after its moves, applied in order. */
    static Plan withSizes(Plan p, ClusterSnapshot snapshot, SlotSizes sizes) {
        Map<String, BitSet> owned = new LinkedHashMap<>();
        snapshot.masters().forEach(m -> owned.put(m.id(), SlotRange.toBits(m.slots())));
        long[] keys = prefixSums(Optional.of(sizes.keys()));
        Optional<long[]> bytes = sizes.bytes().map(b -> prefixSums(Optional.of(b)));
        Map<String, Long> keysBefore = new TreeMap<>();
        Map<String, Long> bytesBefore = new TreeMap<>();
        owned.forEach((id, bits) -> {
            keysBefore.put(id, sumOver(bits, keys));
            bytes.ifPresent(b -> bytesBefore.put(id, sumOver(bits, b)));
        });
        for (Move m : p.moves()) {
            BitSet moving = SlotRange.toBits(m.slots());
            owned.get(m.from()).andNot(moving);
            owned.get(m.to()).or(moving);
        }
        Map<String, Long> keysAfter = new TreeMap<>();
        Map<String, Long> bytesAfter = new TreeMap<>();
        owned.forEach((id, bits) -> {
            keysAfter.put(id, sumOver(bits, keys));
            bytes.ifPresent(b -> bytesAfter.put(id, sumOver(bits, b)));
        });
        return new Plan(p.snapshotVersion(), p.needed(), p.reason(), p.moves(), p.before(), p.after(), p.targets(),
                p.balance(), keysBefore, keysAfter, bytesBefore, bytesAfter);
    }

    static Map<String, Integer> targets(List<ClusterNode> participants, RebalanceOptions options, int slots) {
        double total = participants.stream().mapToDouble(m -> options.weightOf(m.id())).sum();
        Map<String, Integer> targets = new TreeMap<>();
        Map<String, Double> remainders = new HashMap<>();
        int assigned = 0;
        for (ClusterNode m : participants) {
            double exact = slots * options.weightOf(m.id()) / total;
            int floor = (int) Math.floor(exact);
            targets.put(m.id(), floor);
            remainders.put(m.id(), exact - floor);
            assigned += floor;
        }
        List<String> byRemainder = new ArrayList<>(targets.keySet());
        byRemainder.sort(Comparator.<String>comparingDouble(remainders::get).reversed().thenComparing(id -> id));
        for (int i = 0; assigned < slots; i++, assigned++) {
            String id = byRemainder.get(i % byRemainder.size());
            targets.merge(id, 1, Integer::sum);
        }
        return targets;
    }

    private static Optional<String> firstImbalance(Map<String, Integer> before, Map<String, Integer> targets, double threshold) {
        for (Map.Entry<String, Integer> e : before.entrySet()) {
            int target = targets.get(e.getKey());
            int actual = e.getValue();
            if (target == 0 && actual > 0) {
                return Optional.of("master " + e.getKey() + " holds " + actual + " slots and should hold none");
            }
            if (target > 0 && Math.abs(actual - target) * 100.0 / target > threshold) {
                return Optional.of(String.format("master %s holds %d slots, target %d (%.1f%% off, threshold %s%%)",
                        e.getKey(), actual, target, Math.abs(actual - target) * 100.0 / target, threshold));
            }
        }
        return Optional.empty();
    }

    static long[] prefixSums(Optional<long[]> keysPerSlot) {
        long[] prefix = new long[SlotRange.SLOT_COUNT + 1];
        keysPerSlot.ifPresent(keys -> {
            for (int s = 0; s < SlotRange.SLOT_COUNT; s++) {
                prefix[s + 1] = prefix[s] + keys[s];
            }
        });
        return prefix;
    }

    static long sumOver(BitSet bits, long[] prefix) {
        return keysIn(bits, prefix);
    }

    private static long keysIn(BitSet bits, long[] prefix) {
        long sum = 0;
        for (SlotRange r : SlotRange.fromBits(bits)) {
            sum += prefix[r.end() + 1] - prefix[r.start()];
        }
        return sum;
    }
}
