package io.cahoots.agent.executor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether applications are using a move's source or target right now, from {@code INFO commandstats}: the calls of
 * every command except the ones the agent itself, replication and the migration send. A latency budget protects
 * clients; on a shard that serves none it only slows the move, so the engine moves at full speed there and goes back
 * to the budget as soon as commands arrive again (issue 16: "without clients it must not be slower than today").
 * Pure logic: fed readings with their time, no clock, no I/O.
 *
 * <p>A few commands a second are not clients: the agent's own poll sends one {@code EVALSHA} a second per node, its
 * lease a renewal every few seconds, a running job its progress and its signals every second, the topology push a
 * version and a message on each change: measured during a 3 -> 6 scale-out, 2-5 a second on most nodes and 18 a
 * second on the one holding the fleet's keys, in bursts. A shard counts as busy from
 * {@link #BUSY_PER_SECOND} commands a second on, as a rate over the last {@link #WINDOW_NANOS} at least, and for
 * {@link #HOLD_NANOS} after the last reading that saw it. (Over the ~100 ms between two readings a burst of three of
 * the agent's own commands read as 30 a second: a 3 -> 6 scale-out with no client at all then ran under the budget,
 * 13.1 s from plan to last slot against 9.3 s without one, issue 16.) An application's load (hundreds of commands a
 * second and more) shows at the first reading after it starts. The cost: a client sending fewer than
 * {@link #BUSY_PER_SECOND} commands a second to a shard is not protected by the budget there. Until both nodes have
 * been read over a whole window, the shard counts as busy: the budget holds until the engine knows better.
 */
final class ClientActivity {

    static final double BUSY_PER_SECOND = 50;
    static final long WINDOW_NANOS = 1_000_000_000L;
    static final long HOLD_NANOS = 1_000_000_000L;

    /** Commands that are not an application's: the agent's reads and admin, replication, the migration itself. */
    static final Set<String> NOT_CLIENTS = Set.of("ping", "info", "cluster", "migrate", "restore-asking", "restore",
            "asking", "memory", "client", "config", "latency", "slowlog", "command", "hello", "auth", "select",
            "readonly", "readwrite", "role", "replconf", "psync", "sync", "script", "debug", "acl", "dump", "echo");

    /** Per node, its readings {nanos, calls}: the first is the newest one at least a window old, when there is one. */
    private final List<ArrayDeque<long[]>> readings = new ArrayList<>();
    /** Nodes read over a whole window (a rate known); until all are, the shard counts as busy. */
    private final boolean[] rated;
    private int ratedNodes;
    private long busyUntil;

    ClientActivity(int nodes) {
        for (int i = 0; i < nodes; i++) {
            readings.add(new ArrayDeque<>());
        }
        rated = new boolean[nodes];
    }

    /** The calls of client commands in an {@code INFO commandstats} reply ({@code cmdstat_get:calls=12,...}). */
    static long clientCalls(String commandstats) {
        long calls = 0;
        for (String line : commandstats.split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            int colon = line.indexOf(':');
            int bar = line.indexOf('|');
            String name = line.substring("cmdstat_".length(), bar > 0 && bar < colon ? bar : colon).toLowerCase(Locale.ROOT);
            int at = line.indexOf("calls=", colon);
            if (at < 0 || NOT_CLIENTS.contains(name)) {
                continue;
            }
            int end = line.indexOf(',', at);
            calls += Long.parseLong(line.substring(at + "calls=".length(), end < 0 ? line.length() : end));
        }
        return calls;
    }

    /** A reading of node {@code node}'s client calls at {@code nanos}. */
    void read(int node, long calls, long nanos) {
        ArrayDeque<long[]> r = readings.get(node);
        if (!r.isEmpty() && calls < r.peekLast()[1]) {
            // A reset counter (CONFIG RESETSTAT, a restarted node): assume busy, and start the window again.
            busyUntil = nanos + HOLD_NANOS;
            r.clear();
        } else if (!r.isEmpty() && nanos > r.peekFirst()[0]) {
            long[] since = r.peekFirst();
            double perSecond = (calls - since[1]) * 1e9 / (nanos - since[0]);
            if (perSecond >= BUSY_PER_SECOND) {
                busyUntil = nanos + HOLD_NANOS;
            }
            if (!rated[node] && nanos - since[0] >= WINDOW_NANOS) {
                rated[node] = true;
                ratedNodes++;
            }
        }
        r.addLast(new long[]{nanos, calls});
        // Keep one reading at least a window old as the next rates' start.
        while (r.size() > 1 && nanos - secondOldest(r) >= WINDOW_NANOS) {
            r.removeFirst();
        }
    }

    private static long secondOldest(ArrayDeque<long[]> r) {
        var it = r.iterator();
        it.next();
        return it.next()[0];
    }

    /** Are clients using any of the nodes, as of {@code nanos}. */
    boolean busy(long nanos) {
        return ratedNodes < rated.length || nanos < busyUntil;
    }
}
