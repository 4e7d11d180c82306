package io.cahoots.agent.caching;

/**
 * Splits a node's per-cycle budget among the patterns. Pure.
 *
 * <ol>
 *   <li>Every pattern gets {@code budget / patterns} keys.</li>
 *   <li>The remainder goes one key each to the patterns starting at {@code rotation}, which the caller advances every
 *       cycle, so that over a few cycles no pattern is favoured, even with a budget smaller than the pattern count.</li>
 * </ol>
 * The shares always add up to the budget exactly: the budget is never exceeded by rounding.
 */
public final class AuditBudget {

    /** Largest SCAN COUNT per call: a sub-millisecond command on any node, so one call never blocks Redis noticeably. */
    public static final int SCAN_BATCH = 100;

    private AuditBudget() {
    }

    public static int[] shares(int budget, int patterns, long rotation) {
        if (patterns <= 0 || budget < 0) {
            throw new IllegalArgumentException("budget " + budget + " over " + patterns + " patterns");
        }
        int[] out = new int[patterns];
        int base = budget / patterns;
        int remainder = budget % patterns;
        int start = (int) Math.floorMod(rotation, (long) patterns);
        for (int i = 0; i < patterns; i++) {
            out[i] = base;
        }
        for (int i = 0; i < remainder; i++) {
            out[(start + i) % patterns]++;
        }
        return out;
    }

    /** The COUNT of the next SCAN call with {@code remaining} keys of the share left. */
    public static int nextCount(int remaining) {
        return Math.min(SCAN_BATCH, remaining);
    }
}
