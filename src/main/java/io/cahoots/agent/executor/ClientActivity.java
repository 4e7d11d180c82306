package io.cahoots.agent.executor;

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
 * lease a renewal every few seconds. A shard counts as busy from {@link #BUSY_PER_SECOND} commands a second on, and
 * for {@link #HOLD_NANOS} after the last reading that saw it. Until both nodes have been read twice, it counts as
 * busy: the budget holds until the engine knows better.
 */
final class ClientActivity {

    static final double BUSY_PER_SECOND = 10;
    static final long HOLD_NANOS = 1_000_000_000L;

    /** Commands that are not an application's: the agent's reads and admin, replication, the migration itself. */
    static final Set<String> NOT_CLIENTS = Set.of("ping", "info", "cluster", "migrate", "restore-asking", "restore",
            "asking", "memory", "client", "config", "latency", "slowlog", "command", "hello", "auth", "select",
            "readonly", "readwrite", "role", "replconf", "psync", "sync", "script", "debug", "acl", "dump", "echo");

    private final long[] lastCalls;
    private final long[] lastAt;
    private final boolean[] known;
    /** Nodes read twice (a rate known); until all are, the shard counts as busy. */
    private final boolean[] rated;
    private int ratedNodes;
    private long busyUntil;

    ClientActivity(int nodes) {
        lastCalls = new long[nodes];
        lastAt = new long[nodes];
        known = new boolean[nodes];
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
        if (known[node] && nanos > lastAt[node]) {
            double perSecond = (calls - lastCalls[node]) * 1e9 / (nanos - lastAt[node]);
            if (perSecond >= BUSY_PER_SECOND || calls < lastCalls[node]) { // a reset counter: assume busy
                busyUntil = nanos + HOLD_NANOS;
            }
            if (!rated[node]) {
                rated[node] = true;
                ratedNodes++;
            }
        }
        known[node] = true;
        lastCalls[node] = calls;
        lastAt[node] = nanos;
    }

    /** Are clients using any of the nodes, as of {@code nanos}. */
    boolean busy(long nanos) {
        return ratedNodes < rated.length || nanos < busyUntil;
    }
}
