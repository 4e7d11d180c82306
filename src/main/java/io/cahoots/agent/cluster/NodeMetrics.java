package io.cahoots.agent.cluster;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one node's {@code INFO} says, reduced to the figures scaling decisions need.
 *
 * @param maxMemoryBytes       0 when no limit is set
 * @param replicationOffset    {@code master_repl_offset} on a master, {@code slave_repl_offset} on a replica
 * @param masterLinkUp         for replicas: {@code master_link_status:up}; always true on masters
 * @param commandCalls         total calls over all commands since the node's start (commandstats)
 * @param commandUsec          total microseconds spent over all commands (commandstats)
 * @param p99UsecByCommand     p99 latency per command from {@code latencystats} (Redis 7+), empty before
 * @param loading              {@code loading:1}: the node is still reading its data set from disk
 * @param totalCommandsProcessed {@code total_commands_processed}: what {@code instantaneous_ops_per_sec} samples,
 *                             as a count a client can {@code rate()} over any window
 * @param commandTotals        per command: calls and microseconds since the node's start (commandstats), so that a
 *                             difference of two readings gives each command's recent average ({@link RecentLatency})
 */
public record NodeMetrics(
        long usedMemoryBytes,
        long maxMemoryBytes,
        String maxMemoryPolicy,
        long connectedClients,
        long opsPerSec,
        long keyspaceHits,
        long keyspaceMisses,
        long keys,
        long expires,
        long replicationOffset,
        boolean masterLinkUp,
        long commandCalls,
        long commandUsec,
        Map<String, Double> p99UsecByCommand,
        String redisVersion,
        long uptimeSeconds,
        boolean loading,
        long totalCommandsProcessed,
        Map<String, CommandTotals> commandTotals) {

    /** One command's cumulative {@code calls} and {@code usec}. */
    public record CommandTotals(long calls, long usec) {
    }

    public NodeMetrics {
        p99UsecByCommand = Map.copyOf(p99UsecByCommand);
        // A snapshot shared by an older leader has no per-command totals.
        commandTotals = commandTotals == null ? Map.of() : Map.copyOf(commandTotals);
    }

    /** Without per-command totals. */
    public NodeMetrics(long usedMemoryBytes, long maxMemoryBytes, String maxMemoryPolicy, long connectedClients, long opsPerSec,
                       long keyspaceHits, long keyspaceMisses, long keys, long expires, long replicationOffset,
                       boolean masterLinkUp, long commandCalls, long commandUsec, Map<String, Double> p99UsecByCommand,
                       String redisVersion, long uptimeSeconds, boolean loading, long totalCommandsProcessed) {
        this(usedMemoryBytes, maxMemoryBytes, maxMemoryPolicy, connectedClients, opsPerSec, keyspaceHits, keyspaceMisses, keys,
                expires, replicationOffset, masterLinkUp, commandCalls, commandUsec, p99UsecByCommand, redisVersion,
                uptimeSeconds, loading, totalCommandsProcessed, Map.of());
    }

    /** Without {@code total_commands_processed}: the commandstats calls stand in for it. */
    public NodeMetrics(long usedMemoryBytes, long maxMemoryBytes, String maxMemoryPolicy, long connectedClients, long opsPerSec,
                       long keyspaceHits, long keyspaceMisses, long keys, long expires, long replicationOffset,
                       boolean masterLinkUp, long commandCalls, long commandUsec, Map<String, Double> p99UsecByCommand,
                       String redisVersion, long uptimeSeconds, boolean loading) {
        this(usedMemoryBytes, maxMemoryBytes, maxMemoryPolicy, connectedClients, opsPerSec, keyspaceHits, keyspaceMisses, keys,
                expires, replicationOffset, masterLinkUp, commandCalls, commandUsec, p99UsecByCommand, redisVersion,
                uptimeSeconds, loading, commandCalls);
    }

    /** Hit ratio in [0,1], or -1 when the node has served no lookups yet. */
    public double hitRatio() {
        long total = keyspaceHits + keyspaceMisses;
        return total == 0 ? -1 : (double) keyspaceHits / total;
    }

    /** Average microseconds per call since the node started. */
    public double averageUsecPerCall() {
        return commandCalls == 0 ? 0 : (double) commandUsec / commandCalls;
    }

    /** The worst p99 over the node's commands, 0 when latencystats is unavailable. */
    public double worstP99Usec() {
        return p99UsecByCommand.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** The plain fields {@link #fromInfo} reads; keep in step with it. */
    private static final java.util.Set<String> FIELDS = java.util.Set.of("used_memory", "maxmemory", "maxmemory_policy",
            "connected_clients", "instantaneous_ops_per_sec", "keyspace_hits", "keyspace_misses", "role",
            "slave_repl_offset", "master_repl_offset", "master_link_status", "redis_version", "uptime_in_seconds",
            "loading", "total_commands_processed");

    /** Does {@link #fromInfo} read this {@code INFO} field. */
    static boolean reads(String key) {
        return FIELDS.contains(key) || isKeyspace(key) || key.startsWith("cmdstat_") || key.startsWith("latency_percentiles_usec_");
    }

    private static boolean isKeyspace(String key) {
        return key.startsWith("db") && key.length() > 2 && Character.isDigit(key.charAt(2));
    }

    /** Reads the sections of {@code INFO default commandstats latencystats}. */
    public static NodeMetrics fromInfo(InfoReply info) {
        long keys = 0;
        long expires = 0;
        long calls = 0;
        long usec = 0;
        Map<String, Double> p99 = new TreeMap<>();
        Map<String, CommandTotals> perCommand = new TreeMap<>();
        for (Map.Entry<String, String> e : info.fields().entrySet()) {
            String k = e.getKey();
            if (isKeyspace(k)) {
                Map<String, String> sub = InfoReply.subFields(e.getValue());
                keys += parseLong(sub.get("keys"));
                expires += parseLong(sub.get("expires"));
            } else if (k.startsWith("cmdstat_")) {
                Map<String, String> sub = InfoReply.subFields(e.getValue());
                long c = parseLong(sub.get("calls"));
                long u = parseLong(sub.get("usec"));
                calls += c;
                usec += u;
                // Interned: a few dozen command names, kept per node across polls (issue 12).
                perCommand.put(k.substring("cmdstat_".length()).intern(), new CommandTotals(c, u));
            } else if (k.startsWith("latency_percentiles_usec_")) {
                String p = InfoReply.subFields(e.getValue()).get("p99");
                if (p != null) {
                    p99.put(k.substring("latency_percentiles_usec_".length()).intern(), parseDouble(p));
                }
            }
        }
        boolean replica = "slave".equals(info.get("role").orElse("master"));
        return new NodeMetrics(
                info.getLong("used_memory", 0),
                info.getLong("maxmemory", 0),
                info.get("maxmemory_policy").orElse("").intern(),
                info.getLong("connected_clients", 0),
                info.getLong("instantaneous_ops_per_sec", 0),
                info.getLong("keyspace_hits", 0),
                info.getLong("keyspace_misses", 0),
                keys,
                expires,
                replica ? info.getLong("slave_repl_offset", 0) : info.getLong("master_repl_offset", 0),
                !replica || "up".equals(info.get("master_link_status").orElse("")),
                calls,
                usec,
                p99,
                info.get("redis_version").orElse("").intern(),
                info.getLong("uptime_in_seconds", 0),
                info.getLong("loading", 0) == 1,
                info.getLong("total_commands_processed", calls),
                perCommand);
    }

    private static long parseLong(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double parseDouble(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
