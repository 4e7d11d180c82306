package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.lifecycle.Background;
import io.cahoots.agent.redis.RedisException;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * What a client of a move's source and target feels while the move runs, beyond the rounds' own duration (which
 * {@link Pace#added} bounds first): the round trip of the engine's own {@code PING}, on a connection of its own to
 * each node (a client's command waits behind a {@code MIGRATE} just as this one does).
 *
 * <ol>
 *   <li>A thread of the probes' shared pool pings the nodes in turn, one every {@link #INTERVAL_NANOS} or so,
 *       between and during the move's rounds: about two hundred cheap commands a second per move (every one is
 *       work for a shard the clients are waiting on, so no more than the baseline and a slow node need).</li>
 *   <li>The shard's idle round trip ({@link IdleRoundTrip}) is the median of the recent readings that no round
 *       overlapped (network and a loaded machine's scheduling, which no migration causes).</li>
 *   <li>{@link #roundEnded()} answers the worst reading of any ping that was waiting while the round ran, minus
 *       that idle round trip. A ping that was stuck behind a long {@code MIGRATE} is read as soon as it returns.</li>
 * </ol>
 * Every {@link #STATS_EVERY} pings or so it also reads each node's {@code INFO commandstats}: whether clients use
 * the nodes at all ({@link ClientActivity}, {@link #clientsBusy()}).
 * <p>
 * A node the probe cannot reach is skipped (the move itself will report it); closing stops the pinging.
 * <p>
 * The probes share one pool rather than one scheduler: a ping blocks for as long as a {@code MIGRATE} holds its node,
 * and parallel moves must not wait behind each other's pings. The pool has a thread for each move running at once,
 * and reuses it for the next move instead of starting one per move.
 */
final class LatencyProbe implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LatencyProbe.class);
    static final long INTERVAL_NANOS = 5_000_000;
    /** Pings between two readings of every node's command counts (about 100 ms). */
    static final int STATS_EVERY = 20;
    /** Never shut down: its threads are daemons, and one idle for a minute ends. */
    private static final ExecutorService THREADS = Background.cached("latency-probe");

    private final List<HostPort> nodes;
    private final ClusterCommands redis;
    private final Future<?> pinging;
    private final IdleRoundTrip idle = new IdleRoundTrip();
    private final ClientActivity clients;
    private volatile boolean closed;
    /** Start of the round in flight (nanoTime), 0 when none. */
    private long roundStart;
    /** End of the last round (nanoTime). */
    private long lastRoundEnd;
    private long worstInRound;
    /** Start of the ping in flight, 0 when none: a ping stuck behind a long round counts when the round ends. */
    private long pingStart;

    LatencyProbe(ClusterCommands redis, List<HostPort> nodes, String name) {
        this.redis = redis;
        this.nodes = List.copyOf(nodes);
        this.clients = new ClientActivity(nodes.size());
        Object mdc = MDC.get("job");
        this.pinging = THREADS.submit(() -> {
            // While it pings, the pooled thread says which move it serves and its log lines carry the job.
            Thread self = Thread.currentThread();
            String pooledName = self.getName();
            self.setName("latency-probe " + name);
            if (mdc == null) {
                MDC.remove("job"); // inherited by the pooled thread from whichever job made it
            } else {
                MDC.put("job", mdc);
            }
            try {
                run();
            } finally {
                MDC.remove("job");
                self.setName(pooledName);
            }
        });
    }

    private void run() {
        ClusterCommands.Pinger[] pingers = new ClusterCommands.Pinger[nodes.size()];
        int i = 0;
        try {
            while (!closed) {
                boolean readStats = i % STATS_EVERY < nodes.size();
                int n = i++ % nodes.size();
                try {
                    if (pingers[n] == null) {
                        pingers[n] = redis.pinger(nodes.get(n));
                    }
                    long start = System.nanoTime();
                    synchronized (this) {
                        pingStart = start;
                    }
                    pingers[n].ping();
                    record(start, System.nanoTime() - start);
                    if (readStats) {
                        long calls = ClientActivity.clientCalls(pingers[n].commandStats());
                        synchronized (this) {
                            clients.read(n, calls, System.nanoTime());
                        }
                    }
                } catch (RedisException e) {
                    LOG.debugf("latency probe of %s: %s", nodes.get(n), e.getMessage());
                    closeQuietly(pingers[n]);
                    pingers[n] = null;
                    synchronized (this) {
                        pingStart = 0;
                    }
                    sleepNanos(100 * INTERVAL_NANOS);
                }
                sleepNanos(INTERVAL_NANOS);
            }
        } finally {
            for (ClusterCommands.Pinger p : pingers) {
                closeQuietly(p);
            }
        }
    }

    private synchronized void record(long start, long rtt) {
        pingStart = 0;
        // Waiting while the round ran: sent before its end and answered after its start.
        if (roundStart != 0 && start + rtt >= roundStart) {
            worstInRound = Math.max(worstInRound, rtt);
        } else if (start > lastRoundEnd) {
            // No round ran while it waited: a reading of the idle round trip.
            idle.add(rtt);
        }
    }

    synchronized void roundStarted() {
        roundStart = System.nanoTime();
        worstInRound = 0;
    }

    /** The latency the round just ended added, in nanoseconds (0 when no reading overlapped it). */
    synchronized long roundEnded() {
        long now = System.nanoTime();
        long worst = worstInRound;
        if (pingStart != 0 && pingStart < now) {
            // Still waiting: it has waited this long already, and behind our round.
            worst = Math.max(worst, now - pingStart);
        }
        roundStart = 0;
        lastRoundEnd = now;
        worstInRound = 0;
        return Math.max(0, worst - baseline());
    }

    /** Do clients use the source or the target now (true until both were read over a whole window, {@link ClientActivity}). */
    synchronized boolean clientsBusy() {
        return clients.busy(System.nanoTime());
    }

    /** The idle round trip ({@link IdleRoundTrip}). */
    synchronized long baseline() {
        return idle.nanos();
    }

    @Override
    public void close() {
        closed = true;
        pinging.cancel(true);
    }

    private static void closeQuietly(ClusterCommands.Pinger p) {
        if (p != null) {
            try {
                p.close();
            } catch (RuntimeException e) {
                // going away anyway
            }
        }
    }

    private void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            closed = true;
        }
    }
}
