package io.cahoots.agent.executor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One long-running change of the cluster. State changes follow {@link JobState}'s table; progress counters
 * are updated by the executing threads and read by anyone at any time.
 */
public final class Job {

    private final String id;
    private final String type;
    private final String description;
    private final Clock clock;
    private final Instant createdAt;
    private volatile Instant startedAt;
    private volatile Instant finishedAt;
    private volatile JobState state = JobState.PENDING;
    private volatile String error;
    private volatile boolean cancelRequested;
    private volatile Object result;
    /** The sidecar that runs it, set when {@link JobManager} starts it; null for a job built outside one. */
    private volatile String agent;
    private final AtomicInteger slotsDone = new AtomicInteger();
    private final AtomicInteger slotsTotal = new AtomicInteger();
    private final AtomicLong keysMoved = new AtomicLong();
    private final AtomicLong keysTotalEstimate = new AtomicLong(-1);
    /** The latest reading of each move in flight ({@link Pace}), by "from->to". */
    private final java.util.Map<String, double[]> migrationReadings = new java.util.concurrent.ConcurrentHashMap<>();

    public Job(String id, String type, String description, Clock clock) {
        this.id = id;
        this.type = type;
        this.description = description;
        this.clock = clock;
        this.createdAt = clock.instant();
    }

    /** Which sidecar of the fleet runs the job, when a {@link JobManager} started it. */
    public Optional<String> agent() {
        return Optional.ofNullable(agent);
    }

    void runBy(String agentId) {
        this.agent = agentId;
    }

    public String id() {
        return id;
    }

    public String type() {
        return type;
    }

    public String description() {
        return description;
    }

    public JobState state() {
        return state;
    }

    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Optional<Instant> startedAt() {
        return Optional.ofNullable(startedAt);
    }

    public Optional<Instant> finishedAt() {
        return Optional.ofNullable(finishedAt);
    }

    /** What the job produced (e.g. the plan it executed), for the API to show. */
    public Optional<Object> result() {
        return Optional.ofNullable(result);
    }

    public void result(Object value) {
        this.result = value;
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    /** Asks the job to stop at its next safe point; returns false when it already ended. */
    public synchronized boolean requestCancel() {
        if (state.isFinal()) {
            return false;
        }
        cancelRequested = true;
        return true;
    }

    synchronized void moveTo(JobState next, String errorMessage) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("job " + id + " cannot go from " + state + " to " + next);
        }
        if (next == JobState.RUNNING) {
            startedAt = clock.instant();
        }
        if (next.isFinal()) {
            finishedAt = clock.instant();
        }
        state = next;
        error = errorMessage;
    }

    public void plan(int slots, long keysEstimate) {
        slotsTotal.set(slots);
        keysTotalEstimate.set(keysEstimate);
    }

    public void slotsDone(int n) {
        slotsDone.addAndGet(n);
    }

    public void keysMoved(long n) {
        keysMoved.addAndGet(n);
    }

    /** A move's pace after its last round: keys per round, the latency it added, its budget (ns), its current rate. */
    void migrationReading(String move, int batchKeys, long observedNanos, long budgetNanos, double keysPerSecond) {
        migrationReadings.put(move, new double[]{batchKeys, observedNanos, budgetNanos, keysPerSecond});
    }

    void migrationEnded(String move) {
        migrationReadings.remove(move);
    }

    public JobProgress progress() {
        long moved = keysMoved.get();
        int done = slotsDone.get();
        int total = slotsTotal.get();
        long estimate = keysTotalEstimate.get();
        Instant start = startedAt;
        Instant end = finishedAt != null ? finishedAt : clock.instant();
        double seconds = start == null ? 0 : Math.max(1e-3, Duration.between(start, end).toNanos() / 1e9);
        double kps = seconds == 0 ? 0 : moved / seconds;
        long eta = -1;
        if (state.isFinal()) {
            eta = 0;
        } else if (estimate > 0 && kps > 0) {
            eta = (long) Math.ceil(Math.max(0, estimate - moved) / kps);
        } else if (done > 0 && total > 0) {
            eta = (long) Math.ceil(seconds * (total - done) / done);
        }
        // Moves in flight at once: their rounds and rates add up; a client sees the worst latency of any of them.
        int batchKeys = 0;
        double observed = 0;
        double budget = 0;
        double current = 0;
        for (double[] r : migrationReadings.values()) {
            batchKeys += (int) r[0];
            observed = Math.max(observed, r[1] / 1e6);
            budget = Math.max(budget, r[2] / 1e6);
            current += r[3];
        }
        return new JobProgress(done, total, moved, estimate, kps, eta, batchKeys, observed, budget, current);
    }
}
