package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.HostPort;

import java.util.List;
import java.util.function.Consumer;

/**
 * The pace of one move: its {@link BatchController}, the {@link LatencyProbe} that feeds it, and the readings the job
 * shows ({@link Reading}). One per move, used by one thread; the fix action's moves get {@link #unlimited}.
 */
final class Pace implements AutoCloseable {

    /** What a move reports after each round: its limit, the latency its last round added, its budget, its rate. */
    record Reading(int batchKeys, long observedNanos, long budgetNanos, double keysPerSecond) {
    }

    /** Smoothing of the current rate: each round weighs this much. */
    private static final double RATE_WEIGHT = 0.2;

    private final BatchController controller;
    private final LatencyProbe probe;
    private final Consumer<Reading> report;
    private long lastRoundEnd;
    private double keysPerSecond;

    private Pace(BatchController controller, LatencyProbe probe, Consumer<Reading> report) {
        this.controller = controller;
        this.probe = probe;
        this.report = report;
    }

    /** No budget, no probe: every round as big as the tuning allows. */
    static Pace unlimited(MigrationTuning tuning) {
        return new Pace(new BatchController(tuning.maxRoundKeys(), 0), null, r -> {
        });
    }

    /** A move from {@code source} to {@code target}, probed when the tuning has a latency budget. */
    static Pace of(ClusterCommands redis, MigrationTuning tuning, HostPort source, HostPort target, Consumer<Reading> report) {
        long budget = tuning.maxLatency().toNanos();
        LatencyProbe probe = budget == 0 ? null : new LatencyProbe(redis, List.of(source, target), source + "->" + target);
        return new Pace(new BatchController(tuning.maxRoundKeys(), budget), probe, report);
    }

    int limit() {
        return controller.limit();
    }

    /** Waits as long as the controller asks, then marks the start of a round. */
    void beforeRound() {
        long pause = controller.pauseNanos();
        if (pause > 0) {
            try {
                Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JobCancelledException("interrupted");
            }
        }
        if (probe != null) {
            probe.roundStarted();
        }
    }

    /** @param keys moved by the round; {@code roundNanos} its duration, as the engine timed it ({@link #added}) */
    void afterRound(int keys, long roundNanos) {
        long added = probe == null ? 0 : added(roundNanos, probe.roundEnded(), probe.baseline());
        controller.observe(added, keys, probe == null || probe.clientsBusy());
        long now = System.nanoTime();
        if (lastRoundEnd != 0 && now > lastRoundEnd) {
            double rate = keys * 1e9 / (now - lastRoundEnd);
            keysPerSecond = keysPerSecond == 0 ? rate : keysPerSecond * (1 - RATE_WEIGHT) + rate * RATE_WEIGHT;
        }
        lastRoundEnd = now;
        report.accept(new Reading(controller.limit(), controller.lastObservedNanos(), controller.budgetNanos(), keysPerSecond));
    }

    /**
     * What a round added for clients: its own duration less two idle round trips, or more if a probe's {@code PING}
     * waited longer. The source runs a {@code MIGRATE} from start to reply without serving anyone (it waits for the
     * target's restore too), so a client that arrives as the round starts waits all of it: the round's duration is
     * the worst case, known for every round. A {@code PING} only sees the rest of the round from when it arrives,
     * and a round shorter than the pings' interval is often not seen at all: bounded by the pings alone, rounds grew
     * to several times the budget (issue 16, 2026-12-01: client p99 1.3-1.5x redis-cli's at a 1 ms budget; bounded by
     * their duration, 0.9-1.1x with the engine still 2-2.9x faster).
     * <p>
     * Two round trips are not the batch's doing: the engine's own to the source (no client waits for it), and the
     * source's to the target, which any {@code MIGRATE} has, of one key as of a thousand ({@code redis-cli}'s too).
     * The budget bounds what the batch adds on top. On a quiet machine the two are ~0.1 ms; on a busy one they carry
     * its scheduling (0.5-0.6 ms on a loaded 2-core machine, where rounds of 1 to 16 keys took the same time), and
     * counting them held rounds to a few keys, slower than redis-cli with no better latency for clients.
     */
    static long added(long roundNanos, long probeAddedNanos, long idleRoundTripNanos) {
        return Math.max(0, Math.max(probeAddedNanos, roundNanos - 2 * idleRoundTripNanos));
    }

    @Override
    public void close() {
        if (probe != null) {
            probe.close();
        }
    }
}
