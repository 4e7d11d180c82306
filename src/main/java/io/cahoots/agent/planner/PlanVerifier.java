package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.SlotRange;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a plan against the snapshot it was made from; returns the violations (none = valid). Used by the
 * tests over fixtures and random topologies, and by the executor before it moves anything.
 *
 * <ol>
 *   <li>Every move goes between two different healthy masters of the snapshot and carries slots that its
 *       source owns at that point of the plan (moves are applied in order).</li>
 *   <li>Afterwards every slot that had an owner still has exactly one; the counts match {@code after}.</li>
 *   <li>When the plan says a rebalance is needed, every master ends on its target (so within any
 *       threshold) and every weight-0 master ends empty; when it says none is needed, it moves nothing.</li>
 *   <li>For a keys or memory balance ({@link #verify(ClusterSnapshot, RebalanceOptions, Plan, SlotSizes)}): the
 *       plan's figures per master match the sizes, and every weighted master ends within
 *       {@code max(thresholdPercent, the largest slot x 2)} of its share of the load.</li>
 * </ol>
 */
public final class PlanVerifier {

    private PlanVerifier() {
    }

    public static List<String> verify(ClusterSnapshot snapshot, RebalanceOptions options, Plan plan) {
        List<String> problems = new ArrayList<>();
        Map<String, BitSet> owned = new HashMap<>();
        BitSet coveredBefore = new BitSet();
        for (ClusterNode m : snapshot.masters()) {
            BitSet bits = SlotRange.toBits(m.slots());
            owned.put(m.id(), bits);
            coveredBefore.or(bits);
        }
        for (Move move : plan.moves()) {
            ClusterNode from = snapshot.node(move.from()).orElse(null);
            ClusterNode to = snapshot.node(move.to()).orElse(null);
            if (from == null || to == null || !from.isMaster() || !to.isMaster()) {
                problems.add("move " + move.from() + " -> " + move.to() + " names a node that is not a master");
                continue;
            }
            if (from.id().equals(to.id())) {
                problems.add("move from " + from.id() + " to itself");
            }
            for (ClusterNode n : List.of(from, to)) {
                if (n.health() != Health.OK && n.health() != Health.PFAIL) {
                    problems.add("move involves unhealthy master " + n.id() + " (" + n.health().wire() + ")");
                }
            }
            if (move.slots().isEmpty()) {
                problems.add("empty move " + move.from() + " -> " + move.to());
            }
            BitSet moving = SlotRange.toBits(move.slots());
            BitSet notOwned = (BitSet) moving.clone();
            notOwned.andNot(owned.get(from.id()));
            if (!notOwned.isEmpty()) {
                problems.add("move " + from.id() + " -> " + to.id() + " takes slots its source does not own: "
                        + SlotRange.fromBits(notOwned));
            }
            owned.get(from.id()).andNot(moving);
            owned.get(to.id()).or(moving);
        }
        BitSet union = new BitSet();
        for (Map.Entry<String, BitSet> e : owned.entrySet()) {
            BitSet overlap = (BitSet) union.clone();
            overlap.and(e.getValue());
            if (!overlap.isEmpty()) {
                problems.add("slots owned twice after the plan: " + SlotRange.fromBits(overlap));
            }
            union.or(e.getValue());
            Integer expected = plan.after().get(e.getKey());
            if (expected != null && expected != e.getValue().cardinality()) {
                problems.add(e.getKey() + " ends with " + e.getValue().cardinality() + " slots, plan says " + expected);
            }
        }
        if (!union.equals(coveredBefore)) {
            problems.add("the plan changes which slots are covered");
        }
        if (plan.needed()) {
            plan.targets().forEach((id, target) -> {
                int actual = owned.get(id).cardinality();
                if (actual != target) {
                    problems.add(id + " ends with " + actual + " slots instead of its target " + target);
                }
            });
            options.weights().forEach((id, w) -> {
                if (w == 0 && owned.containsKey(id) && !owned.get(id).isEmpty()) {
                    problems.add("drained master " + id + " still owns " + owned.get(id).cardinality() + " slots");
                }
            });
        } else if (!plan.moves().isEmpty()) {
            problems.add("a plan that is not needed moves slots");
        }
        return problems;
    }

    /** {@link #verify(ClusterSnapshot, RebalanceOptions, Plan)}, and for a keys or memory balance, step 4. */
    public static List<String> verify(ClusterSnapshot snapshot, RebalanceOptions options, Plan plan, SlotSizes sizes) {
        List<String> problems = verify(snapshot, options, plan);
        Plan expected = RebalancePlanner.withSizes(plan, snapshot, sizes);
        if (!plan.keysAfter().isEmpty() && !plan.keysAfter().equals(expected.keysAfter())) {
            problems.add("keys after the plan are " + expected.keysAfter() + ", plan says " + plan.keysAfter());
        }
        if (!plan.bytesAfter().isEmpty() && !plan.bytesAfter().equals(expected.bytesAfter())) {
            problems.add("bytes after the plan are " + expected.bytesAfter() + ", plan says " + plan.bytesAfter());
        }
        if (plan.balance() == Balance.SLOTS || !plan.needed()) {
            return problems;
        }
        long[] measure = sizes.measure(plan.balance()).orElseThrow();
        Map<String, Long> after = plan.balance() == Balance.MEMORY ? expected.bytesAfter() : expected.keysAfter();
        List<String> participants = new ArrayList<>(plan.before().keySet());
        double total = participants.stream().mapToLong(after::get).sum();
        double weights = participants.stream().mapToDouble(options::weightOf).sum();
        long largest = 0;
        for (ClusterNode m : snapshot.masters()) {
            if (participants.contains(m.id())) {
                for (SlotRange r : m.slots()) {
                    for (int s = r.start(); s <= r.end(); s++) {
                        largest = Math.max(largest, measure[s]);
                    }
                }
            }
        }
        for (String id : participants) {
            double target = total * options.weightOf(id) / weights;
            double off = Math.abs(after.get(id) - target);
            if (off > Math.max(target * options.thresholdPercent() / 100, 2.0 * largest)) {
                problems.add(String.format("%s ends with %d of the %s, target %.0f", id, after.get(id), plan.balance().wire(), target));
            }
        }
        return problems;
    }
}
