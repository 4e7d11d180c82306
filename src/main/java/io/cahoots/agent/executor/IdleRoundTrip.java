package io.cahoots.agent.executor;

import java.util.ArrayDeque;

/**
 * A shard's idle round trip as the engine sees it: the median of the last {@link #SAMPLES} round trips of the
 * {@link LatencyProbe}'s {@code PING}s that no migration round overlapped. Pure logic, used under the probe's lock.
 *
 * <p>Why the median and not the least: the engine times a round from its {@code MIGRATE}s' sending to their replies,
 * so a round's duration holds one round trip between the agent and the source that no client waits for. On a quiet
 * machine that round trip is about the least one; on a busy one it is rarely so, and subtracting the least counted
 * the machine's scheduling as the migration's (issue 16, a loaded 2-core machine: idle pings of 40 us at the least
 * and 250-450 us at the median).
 *
 * <p>0 until {@link #FIRST_ESTIMATE} readings came: a move's first pings (new connections, a cold path) can take
 * milliseconds, and a baseline that high would make its first rounds look free.
 */
final class IdleRoundTrip {

    static final int SAMPLES = 200;
    static final int FIRST_ESTIMATE = 20;

    private final ArrayDeque<Long> recent = new ArrayDeque<>();
    /** The last answer of {@link #nanos()}, -1 when readings came since. */
    private long median = -1;

    void add(long rttNanos) {
        recent.addLast(rttNanos);
        if (recent.size() > SAMPLES) {
            recent.removeFirst();
        }
        median = -1;
    }

    long nanos() {
        if (median < 0) {
            long[] sorted = recent.stream().mapToLong(Long::longValue).sorted().toArray();
            median = sorted.length < FIRST_ESTIMATE ? 0 : sorted[sorted.length / 2];
        }
        return median;
    }
}
