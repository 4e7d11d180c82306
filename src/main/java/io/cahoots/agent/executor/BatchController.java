package io.cahoots.agent.executor;

/**
 * How many keys the next {@code MIGRATE} round may move, so that the latency it adds for clients of the source and
 * the target stays within a budget. Pure logic: fed one reading per round, no clock, no I/O.
 *
 * <ol>
 *   <li>Slow start: from {@link #INITIAL} keys the limit doubles after every round that added less than half the
 *       budget, up to the cap (the engine's full batch) or to the last size that overran the budget.</li>
 *   <li>Additive increase: past that size, a round well under budget adds an eighth (at least one key); a round
 *       between half the budget and the budget keeps the size.</li>
 *   <li>Multiplicative decrease: two rounds over budget out of the last three halve the limit (never below one key)
 *       and mark it as the end of the slow start. A lone slow round keeps the size: on a busy machine a round's
 *       duration carries the scheduling of three processes (agent, source, target), whose spikes come whatever the
 *       round's size (issue 16, a loaded 2-core machine: rounds of 1 to 16 keys all took 0.55 ms at the median and
 *       1.2-1.5 ms at the 90th percentile). Halving on each of them held rounds to a few keys, slower than
 *       {@code redis-cli}, while its clients saw no better latency.</li>
 *   <li>Pause: when one key per round is still over budget (the shard is slow for other reasons, or the keys are
 *       big), the engine waits between rounds, from 1 ms doubling up to {@link #MAX_PAUSE_NANOS}; rounds under
 *       budget halve the pause again. The move always progresses, one key per round at worst.</li>
 * </ol>
 * With no budget (0) the limit is the cap and never changes: the engine moves as fast as it did without one. While no
 * client uses the shards ({@link ClientActivity}) the budget protects no one: the limit is the cap too, and when
 * clients come back it starts again from {@link #INITIAL}.
 */
final class BatchController {

    static final int INITIAL = 64;
    static final long MIN_PAUSE_NANOS = 1_000_000;
    static final long MAX_PAUSE_NANOS = 50_000_000;

    private final int cap;
    private final long budgetNanos;
    private int limit;
    private int slowStartEnd;
    private long pauseNanos;
    private long lastObservedNanos;
    private boolean unthrottled;
    /** Which of the last three rounds were over budget (bit 0: the last). */
    private int overBudget;

    BatchController(int cap, long budgetNanos) {
        if (cap < 1 || budgetNanos < 0) {
            throw new IllegalArgumentException("cap must be >= 1 and the budget >= 0");
        }
        this.cap = cap;
        this.budgetNanos = budgetNanos;
        this.limit = budgetNanos == 0 ? cap : Math.min(cap, INITIAL);
        this.slowStartEnd = cap;
    }

    /** Keys the next round may move. */
    int limit() {
        return limit;
    }

    /** How long to wait before the next round. */
    long pauseNanos() {
        return pauseNanos;
    }

    long budgetNanos() {
        return budgetNanos;
    }

    long lastObservedNanos() {
        return lastObservedNanos;
    }

    /**
     * @param addedNanos the latency the last round added ({@link Pace#added}: its duration less two idle round trips,
     *                   or the longer wait of a probe's {@code PING})
     * @param roundKeys  keys the round moved: a round smaller than the limit (the slot ran dry) says nothing about
     *                   a bigger one, so it does not grow the limit
     */
    void observe(long addedNanos, int roundKeys) {
        observe(addedNanos, roundKeys, true);
    }

    /** @param clientsBusy do clients use the shards: when not, the next round is as big as the cap allows */
    void observe(long addedNanos, int roundKeys, boolean clientsBusy) {
        lastObservedNanos = Math.max(0, addedNanos);
        if (budgetNanos == 0) {
            return;
        }
        if (!clientsBusy) {
            unthrottled = true;
            limit = cap;
            pauseNanos = 0;
            return;
        }
        if (unthrottled) {
            // Clients are back: what the last (big) round added says nothing about the size they can bear.
            unthrottled = false;
            limit = Math.min(cap, INITIAL);
            slowStartEnd = cap;
            pauseNanos = 0;
            overBudget = 0;
            return;
        }
        boolean over = addedNanos > budgetNanos;
        overBudget = ((overBudget << 1) | (over ? 1 : 0)) & 0b111;
        if (Integer.bitCount(overBudget) >= 2) {
            if (limit == 1) {
                pauseNanos = Math.min(MAX_PAUSE_NANOS, Math.max(MIN_PAUSE_NANOS, pauseNanos * 2));
            }
            limit = Math.max(1, limit / 2);
            slowStartEnd = limit;
            overBudget = 0;
            return;
        }
        if (over) {
            return;
        }
        pauseNanos = pauseNanos / 2 < MIN_PAUSE_NANOS ? 0 : pauseNanos / 2;
        if (addedNanos * 2 > budgetNanos || roundKeys < limit) {
            return;
        }
        long next = limit < slowStartEnd ? Math.min((long) limit * 2, slowStartEnd) : limit + Math.max(1, limit / 8);
        limit = (int) Math.min(cap, next);
    }
}
