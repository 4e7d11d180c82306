package io.cahoots.agent.api;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.executor.KeyLimitCheck;
import io.cahoots.agent.planner.Move;
import io.cahoots.agent.planner.Plan;

import java.util.List;

/** The JSON of a rebalance plan: moves with addresses and key estimates, and slot counts per master before/after. */
public record PlanView(long snapshotVersion, boolean needed, String reason, int slotsToMove, long keysToMove,
                       List<MoveView> moves, List<NodeBalance> nodes, List<KeyLimitCheck.OversizedKey> oversizedKeys) {

    /** The same plan with the keys its targets cannot take (issue 16): a start would be refused while any is listed. */
    public PlanView withOversizedKeys(List<KeyLimitCheck.OversizedKey> keys) {
        return new PlanView(snapshotVersion, needed, reason, slotsToMove, keysToMove, moves, nodes, List.copyOf(keys));
    }

    public record MoveView(String from, String fromAddress, String to, String toAddress, List<int[]> slots,
                           int slotCount, long keys) {
    }

    public record NodeBalance(String id, String address, int before, int target, int after) {
    }

    public static PlanView of(Plan p, ClusterSnapshot s) {
        List<MoveView> moves = p.moves().stream().map(m -> move(m, s)).toList();
        List<NodeBalance> nodes = s.masters().stream().map(m -> new NodeBalance(m.id(), m.addressText(),
                p.before().getOrDefault(m.id(), m.slotCount()), p.targets().getOrDefault(m.id(), m.slotCount()),
                p.after().getOrDefault(m.id(), m.slotCount()))).toList();
        return new PlanView(p.snapshotVersion(), p.needed(), p.reason(), p.slotsToMove(), p.keysToMove(), moves, nodes, List.of());
    }

    private static MoveView move(Move m, ClusterSnapshot s) {
        return new MoveView(m.from(), s.node(m.from()).map(ClusterNode::addressText).orElse(null), m.to(),
                s.node(m.to()).map(ClusterNode::addressText).orElse(null), ClusterView.ranges(m.slots()), m.slotCount(),
                m.keys());
    }
}
