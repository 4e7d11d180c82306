package io.cahoots.agent.planner;

import java.util.List;
import java.util.Map;

/**
 * The outcome of planning: the moves, and each master's slot count before and after; with per-slot sizes measured,
 * each master's keys (and, for a memory balance, estimated bytes) before and after too.
 *
 * @param snapshotVersion the topology version the plan was made from; executing it on another is refused
 * @param needed          false when every master is already within the threshold (then {@code moves} is empty)
 * @param reason          one sentence: why moves are needed, or why not
 * @param targets         master id -> slots it should own (for a keys or memory balance: the slots it ends with)
 * @param balance         what the plan equalises
 * @param keysBefore      master id -> keys before (empty when per-slot counts were not measured); likewise after
 * @param bytesBefore     master id -> estimated bytes before (empty unless measured for a memory balance); likewise after
 */
public record Plan(long snapshotVersion, boolean needed, String reason, List<Move> moves,
                   Map<String, Integer> before, Map<String, Integer> after, Map<String, Integer> targets,
                   Balance balance, Map<String, Long> keysBefore, Map<String, Long> keysAfter,
                   Map<String, Long> bytesBefore, Map<String, Long> bytesAfter) {

    public Plan {
        moves = List.copyOf(moves);
        before = Map.copyOf(before);
        after = Map.copyOf(after);
        targets = Map.copyOf(targets);
        keysBefore = Map.copyOf(keysBefore);
        keysAfter = Map.copyOf(keysAfter);
        bytesBefore = Map.copyOf(bytesBefore);
        bytesAfter = Map.copyOf(bytesAfter);
    }

    /** A slot balance without measured sizes. */
    public Plan(long snapshotVersion, boolean needed, String reason, List<Move> moves,
                Map<String, Integer> before, Map<String, Integer> after, Map<String, Integer> targets) {
        this(snapshotVersion, needed, reason, moves, before, after, targets, Balance.SLOTS, Map.of(), Map.of(), Map.of(), Map.of());
    }

    public int slotsToMove() {
        return moves.stream().mapToInt(Move::slotCount).sum();
    }

    public long keysToMove() {
        return moves.stream().mapToLong(m -> Math.max(0, m.keys())).sum();
    }
}
