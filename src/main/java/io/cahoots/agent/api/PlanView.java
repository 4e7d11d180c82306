package io.cahoots.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.executor.KeyLimitCheck;
import io.cahoots.agent.planner.Move;
import io.cahoots.agent.planner.Plan;

import java.util.List;

/**
 * The JSON of a rebalance plan: moves with addresses and key estimates, and per master the slot counts before/after,
 * the keys before/after (when counted) and the estimated bytes before/after (a memory balance).
 */
public record PlanView(long snapshotVersion, boolean needed, String reason, String balance, int slotsToMove, long keysToMove,
                       List<MoveView> moves, List<NodeBalance> nodes, List<KeyLimitCheck.OversizedKey> oversizedKeys) {

    /** The same plan with the keys its targets cannot take (issue 16): a start would be refused while any is listed. */
    public PlanView withOversizedKeys(List<KeyLimitCheck.OversizedKey> keys) {
        return new PlanView(snapshotVersion, needed, reason, balance, slotsToMove, keysToMove, moves, nodes, List.copyOf(keys));
    }

    public record MoveView(String from, String fromAddress, String to, String toAddress, List<int[]> slots,
                           int slotCount, long keys) {
    }

    /** {@code target}: slots the master should own (a keys or memory balance: the slots it ends with). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeBalance(String id, String address, int before, int target, int after,
                              Long keysBefore, Long keysAfter, Long bytesBefore, Long bytesAfter) {
    }

    public static PlanView of(Plan p, ClusterSnapshot s) {
        List<MoveView> moves = p.moves().stream().map(m -> move(m, s)).toList();
        List<NodeBalance> nodes = s.masters().stream().map(m -> new NodeBalance(m.id(), m.addressText(),
                p.before().getOrDefault(m.id(), m.slotCount()), p.targets().getOrDefault(m.id(), m.slotCount()),
                p.after().getOrDefault(m.id(), m.slotCount()), p.keysBefore().get(m.id()), p.keysAfter().get(m.id()),
                p.bytesBefore().get(m.id()), p.bytesAfter().get(m.id()))).toList();
        return new PlanView(p.snapshotVersion(), p.needed(), p.reason(), p.balance().wire(), p.slotsToMove(), p.keysToMove(),
                moves, nodes, List.of());
    }

    private static MoveView move(Move m, ClusterSnapshot s) {
        return new MoveView(m.from(), s.node(m.from()).map(ClusterNode::addressText).orElse(null), m.to(),
                s.node(m.to()).map(ClusterNode::addressText).orElse(null), ClusterView.ranges(m.slots()), m.slotCount(),
                m.keys());
    }
}
