package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
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
 * Plans a keys or memory balance: each weighted master should hold an equal share of a per-slot measure (keys, or
 * estimated bytes) instead of an equal share of slots. Pure and deterministic, like {@link RebalancePlanner}.
 *
 * <ol>
 *   <li>Participants as for a slot balance. Each one's load is the sum of the measure over its slots; its target is
 *       the total load x its weight / the total weight. When the cluster holds no load at all, a slot balance is
 *       planned instead (nothing to weigh).</li>
 *   <li>Nothing to do when every participant is within {@code max(thresholdPercent of its target, the largest
 *       slot's load)} of its target: a slot is the unit that moves, so a closer balance may not exist. A weight-0
 *       master holding slots always needs a plan.</li>
 *   <li>Moves, matched like redis-cli's: the largest surplus gives to the largest deficit
 *       {@code min(surplus, deficit)} worth of load; whichever of the two needed the smaller amount is done
 *       afterwards (so the loop ends after at most one pass per participant), the other goes on with what remains.</li>
 *   <li>Which slots: contiguous windows at the edges of the source's ranges whose load comes closest to the amount
 *       ({@link SlotPicker#pickLoad}); a master's slots therefore stay in few ranges.</li>
 *   <li>A weight-0 master's remaining slots (those without load) go to the participant furthest below its target.</li>
 * </ol>
 * Slot counts are left to fall where the load puts them: a master of big values ends with fewer slots.
 */
final class LoadBalancePlanner {

    private LoadBalancePlanner() {
    }

    static Plan plan(ClusterSnapshot snapshot, RebalanceOptions options, List<ClusterNode> participants, SlotSizes sizes) {
        long[] measure = sizes.measure(options.balance()).orElseThrow();
        long[] prefix = RebalancePlanner.prefixSums(Optional.of(measure));
        String unit = options.balance() == Balance.MEMORY ? "bytes" : "keys";

        Map<String, BitSet> owned = new LinkedHashMap<>();
        Map<String, Integer> before = new TreeMap<>();
        Map<String, Long> load = new HashMap<>();
        long total = 0;
        long largestSlot = 0;
        for (ClusterNode m : participants) {
            BitSet bits = SlotRange.toBits(m.slots());
            owned.put(m.id(), bits);
            before.put(m.id(), bits.cardinality());
            long l = RebalancePlanner.sumOver(bits, prefix);
            load.put(m.id(), l);
            total += l;
            for (int s = bits.nextSetBit(0); s >= 0; s = bits.nextSetBit(s + 1)) {
                largestSlot = Math.max(largestSlot, measure[s]);
            }
        }
        if (total == 0) {
            Plan slots = RebalancePlanner.plan(snapshot, options.withBalance(Balance.SLOTS), Optional.of(sizes.keys()));
            return new Plan(slots.snapshotVersion(), slots.needed(), "no " + unit + " to balance: " + slots.reason(),
                    slots.moves(), slots.before(), slots.after(), slots.targets(), Balance.SLOTS, Map.of(), Map.of(), Map.of(), Map.of());
        }
        double totalWeight = participants.stream().mapToDouble(m -> options.weightOf(m.id())).sum();
        Map<String, Double> target = new HashMap<>();
        for (ClusterNode m : participants) {
            target.put(m.id(), total * options.weightOf(m.id()) / totalWeight);
        }

        Optional<String> imbalance = firstImbalance(participants, options, owned, load, target, largestSlot, unit);
        if (imbalance.isEmpty()) {
            return new Plan(snapshot.version(), false, "every master is within " + options.thresholdPercent()
                    + "% (or one slot) of its " + unit + " target", List.of(), before, before, before,
                    options.balance(), Map.of(), Map.of(), Map.of(), Map.of());
        }

        Map<String, Double> surplus = new HashMap<>();
        load.forEach((id, l) -> surplus.put(id, l - target.get(id)));
        List<String> sources = new ArrayList<>();
        List<String> sinks = new ArrayList<>();
        surplus.forEach((id, b) -> {
            if (b > 0) {
                sources.add(id);
            } else if (b < 0) {
                sinks.add(id);
            }
        });
        Map<List<String>, BitSet> pairs = new LinkedHashMap<>();
        while (!sources.isEmpty() && !sinks.isEmpty()) {
            String src = sources.stream().max(Comparator.<String>comparingDouble(surplus::get).thenComparing(Comparator.reverseOrder())).orElseThrow();
            String dst = sinks.stream().min(Comparator.<String>comparingDouble(surplus::get).thenComparing(id -> id)).orElseThrow();
            double give = surplus.get(src);
            double take = -surplus.get(dst);
            long amount = Math.round(Math.min(give, take));
            BitSet picked = SlotPicker.pickLoad(owned.get(src), owned.get(dst), amount, prefix);
            long moved = RebalancePlanner.sumOver(picked, prefix);
            transfer(owned, pairs, src, dst, picked);
            surplus.merge(src, (double) -moved, Double::sum);
            surplus.merge(dst, (double) moved, Double::sum);
            if (give <= take) {
                sources.remove(src);
            } else {
                sinks.remove(dst);
            }
            if (surplus.get(src) <= 0) {
                sources.remove(src);
            }
            if (surplus.get(dst) >= 0) {
                sinks.remove(dst);
            }
        }
        for (ClusterNode m : participants) {
            BitSet rest = owned.get(m.id());
            if (options.weightOf(m.id()) == 0 && !rest.isEmpty()) {
                String dst = participants.stream().map(ClusterNode::id).filter(id -> options.weightOf(id) > 0)
                        .min(Comparator.<String>comparingDouble(id -> surplus.get(id) / target.get(id)).thenComparing(id -> id))
                        .orElseThrow();
                long moved = RebalancePlanner.sumOver(rest, prefix);
                transfer(owned, pairs, m.id(), dst, (BitSet) rest.clone());
                surplus.merge(dst, (double) moved, Double::sum);
            }
        }

        long[] keyPrefix = RebalancePlanner.prefixSums(Optional.of(sizes.keys()));
        List<Move> moves = new ArrayList<>();
        pairs.forEach((pair, bits) -> moves.add(new Move(pair.get(0), pair.get(1), SlotRange.fromBits(bits),
                RebalancePlanner.sumOver(bits, keyPrefix))));
        Map<String, Integer> after = new TreeMap<>();
        owned.forEach((id, bits) -> after.put(id, bits.cardinality()));
        return new Plan(snapshot.version(), true, imbalance.get(), RebalancePlanner.largestFirst(moves), before, after, after,
                options.balance(), Map.of(), Map.of(), Map.of(), Map.of());
    }

    private static void transfer(Map<String, BitSet> owned, Map<List<String>, BitSet> pairs, String src, String dst, BitSet picked) {
        if (picked.isEmpty()) {
            return;
        }
        owned.get(src).andNot(picked);
        owned.get(dst).or(picked);
        pairs.computeIfAbsent(List.of(src, dst), k -> new BitSet()).or(picked);
    }

    /** Step 2: why a plan is needed, if it is. */
    private static Optional<String> firstImbalance(List<ClusterNode> participants, RebalanceOptions options,
                                                   Map<String, BitSet> owned, Map<String, Long> load,
                                                   Map<String, Double> target, long largestSlot, String unit) {
        for (ClusterNode m : participants) {
            String id = m.id();
            if (options.weightOf(id) == 0 && !owned.get(id).isEmpty()) {
                return Optional.of("master " + id + " holds " + owned.get(id).cardinality() + " slots and should hold none");
            }
            double t = target.get(id);
            double off = Math.abs(load.get(id) - t);
            if (off > Math.max(t * options.thresholdPercent() / 100, largestSlot)) {
                return Optional.of(String.format("master %s holds %d %s, target %.0f (%.1f%% off, threshold %s%%)",
                        id, load.get(id), unit, t, t == 0 ? 100.0 : off * 100 / t, options.thresholdPercent()));
            }
        }
        return Optional.empty();
    }
}
