package io.cahoots.agent.planner;

import java.util.List;
import java.util.Map;

/**
 * The outcome of planning: the moves, and each master's slot count before and after.
 *
 * @param snapshotVersion the topology version the plan was made from; executing it on another is refused
 * @param needed          false when every master is already within the threshold (then {@code moves} is empty)
 * @param reason          one sentence: why moves are needed, or why not
 * @param targets         master id -> slots it should own
 */
public record Plan(long snapshotVersion, boolean needed, String reason, List<Move> moves,
                   Map<String, Integer> before, Map<String, Integer> after, Map<String, Integer> targets) {

    public Plan {
        moves = List.copyOf(moves);
        before = Map.copyOf(before);
        after = Map.copyOf(after);
        targets = Map.copyOf(targets);
    }

    public int slotsToMove() {
        return moves.stream().mapToInt(Move::slotCount).sum();
    }

    public long keysToMove() {
        return moves.stream().mapToLong(m -> Math.max(0, m.keys())).sum();
    }
}
