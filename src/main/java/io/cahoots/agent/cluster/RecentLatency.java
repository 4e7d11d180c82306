package io.cahoots.agent.cluster;

import io.cahoots.agent.cluster.NodeMetrics.CommandTotals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Each node's slowest command over the recent past, from the cumulative per-command {@code commandstats} totals
 * ({@code calls}, {@code usec}) of successive snapshots. Why: Redis' own figures ({@code latencystats} percentiles,
 * the totals themselves) are cumulative since the node started, so one slow command in a node's life would count as
 * "Redis is slow" for ever; a difference between two readings describes only the time between them. Per command, not
 * over all commands: the commands a Lua script calls are counted as calls too, so a node busy with 30 ms scripts that
 * each call {@code TIME} 20,000 times averages 1.5 µs per call overall, but 30 ms per {@code EVAL}.
 *
 * <ol>
 *   <li>{@link #record} keeps, per node, the readings of the last {@code window} plus the newest one at or before the
 *       window's start (the baseline), so a figure always spans at least the window once it has been seen.</li>
 *   <li>A total that goes down (a restart, {@code CONFIG RESETSTAT}) forgets the node's older readings: the window
 *       starts again from that reading, never a negative or mixed figure.</li>
 *   <li>{@link #slowest} is, over the commands called between the baseline and the last reading, the largest
 *       {@code (usec now - usec then) / (calls now - calls then)}; empty without two readings or without a call
 *       between them (no traffic is not evidence of anything).</li>
 * </ol>
 * A node not read in one poll keeps its readings; nodes that leave the snapshot's node list are forgotten, so the
 * memory held is bounded by nodes x readings per window x commands. Thread-safe; time is the snapshot's
 * {@code takenAt}.
 */
public final class RecentLatency {

    /** A command's average over the window. */
    public record CommandAverage(String command, double usecPerCall, long calls) {
    }

    private record Reading(Instant at, Map<String, CommandTotals> totals) {
    }

    private final Duration window;
    private final Map<String, Deque<Reading>> byNode = new HashMap<>();

    public RecentLatency(Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.window = window;
    }

    public Duration window() {
        return window;
    }

    public synchronized void record(ClusterSnapshot s) {
        Set<String> listed = new HashSet<>();
        for (ClusterNode n : s.nodes()) {
            listed.add(n.id());
            if (n.metrics().isEmpty()) {
                continue;
            }
            Map<String, CommandTotals> totals = n.metrics().get().commandTotals();
            Deque<Reading> readings = byNode.computeIfAbsent(n.id(), id -> new ArrayDeque<>());
            Reading last = readings.peekLast();
            if (last != null && !s.takenAt().isAfter(last.at())) {
                continue; // the same snapshot seen twice, or an older one
            }
            if (last != null && wentDown(last.totals(), totals)) {
                readings.clear();
            }
            readings.addLast(new Reading(s.takenAt(), totals));
            Instant start = s.takenAt().minus(window);
            while (readings.size() > 2 && !secondOf(readings).at().isAfter(start)) {
                readings.removeFirst();
            }
        }
        byNode.keySet().retainAll(listed);
    }

    /** The node's slowest command over the recent window; empty when unknown or idle. */
    public synchronized Optional<CommandAverage> slowest(String nodeId) {
        Deque<Reading> readings = byNode.get(nodeId);
        if (readings == null || readings.size() < 2) {
            return Optional.empty();
        }
        Map<String, CommandTotals> then = readings.peekFirst().totals();
        CommandAverage worst = null;
        for (Map.Entry<String, CommandTotals> e : readings.peekLast().totals().entrySet()) {
            CommandTotals before = then.getOrDefault(e.getKey(), new CommandTotals(0, 0));
            long calls = e.getValue().calls() - before.calls();
            if (calls <= 0) {
                continue;
            }
            double average = (double) (e.getValue().usec() - before.usec()) / calls;
            if (worst == null || average > worst.usecPerCall()) {
                worst = new CommandAverage(e.getKey(), average, calls);
            }
        }
        return Optional.ofNullable(worst);
    }

    private static boolean wentDown(Map<String, CommandTotals> before, Map<String, CommandTotals> now) {
        for (Map.Entry<String, CommandTotals> e : before.entrySet()) {
            CommandTotals n = now.get(e.getKey());
            if (n == null || n.calls() < e.getValue().calls() || n.usec() < e.getValue().usec()) {
                return true;
            }
        }
        return false;
    }

    private static Reading secondOf(Deque<Reading> readings) {
        Iterator<Reading> it = readings.iterator();
        it.next();
        return it.next();
    }
}
