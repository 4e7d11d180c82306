package io.cahoots.agent.metrics;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.NodeMetrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The recent past the console charts, kept in the agent's memory: one sample per step in a ring of fixed capacity
 * (the default, 720 of 5 s, is the last hour), so its size never grows with time. Per sample: each master's ops/s,
 * used and max memory, average command latency and hit ratio, and the API replicas.
 * <ol>
 *   <li>Rates are computed between two samples from the counters Redis keeps (commands processed, commandstats
 *       calls and time, hits and misses), so a point is the average over its step, not one instant's reading; at a
 *       node's first sample (or after its restart, when a counter went back) the instantaneous figures stand in.</li>
 *   <li>At most {@link #MAX_MASTERS} masters per sample (by address), so a huge cluster cannot make it large.</li>
 * </ol>
 * Pure: the caller passes the snapshot, the replicas and the time.
 */
public final class History {

    public static final int MAX_MASTERS = 128;

    /** One master's figures over one step; latency and hit ratio are null when it served no command or lookup. */
    public record Point(String address, double opsPerSec, long usedMemoryBytes, long maxMemoryBytes, Double latencySeconds,
                        Double hitRatio) {
    }

    /** @param masters by node id */
    public record Sample(Instant at, Map<String, Point> masters, Integer currentReplicas, Integer desiredReplicas) {
    }

    private record Totals(Instant at, long commands, long calls, long usec, long hits, long misses) {
    }

    private final int capacity;
    private final Duration step;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final Map<String, Totals> previous = new HashMap<>();

    public History(int capacity, Duration step) {
        this.capacity = capacity;
        this.step = step;
    }

    public int capacity() {
        return capacity;
    }

    public Duration step() {
        return step;
    }

    /** Records one sample; {@code cluster} is empty when cluster features are off (replicas only, then). */
    public synchronized void record(Instant at, Optional<ClusterSnapshot> cluster, OptionalInt current, OptionalInt desired) {
        Map<String, Point> masters = new LinkedHashMap<>();
        Map<String, Totals> seen = new HashMap<>();
        cluster.ifPresent(s -> s.nodes().stream().filter(ClusterNode::isMaster).filter(n -> n.metrics().isPresent())
                .sorted(java.util.Comparator.comparing(ClusterNode::addressText)).limit(MAX_MASTERS).forEach(n -> {
                    NodeMetrics m = n.metrics().get();
                    Totals now = new Totals(at, m.totalCommandsProcessed(), m.commandCalls(), m.commandUsec(), m.keyspaceHits(),
                            m.keyspaceMisses());
                    seen.put(n.id(), now);
                    masters.put(n.id(), point(n.addressText(), m, previous.get(n.id()), now));
                }));
        previous.clear();
        previous.putAll(seen);
        samples.addLast(new Sample(at, Map.copyOf(masters), current.isPresent() ? current.getAsInt() : null,
                desired.isPresent() ? desired.getAsInt() : null));
        while (samples.size() > capacity) {
            samples.removeFirst();
        }
    }

    private static Point point(String address, NodeMetrics m, Totals before, Totals now) {
        double seconds = before == null ? 0 : Duration.between(before.at(), now.at()).toMillis() / 1000.0;
        boolean deltas = before != null && seconds > 0 && now.commands() >= before.commands() && now.calls() >= before.calls()
                && now.hits() >= before.hits() && now.misses() >= before.misses();
        if (!deltas) {
            long lookups = m.keyspaceHits() + m.keyspaceMisses();
            return new Point(address, m.opsPerSec(), m.usedMemoryBytes(), m.maxMemoryBytes(),
                    m.commandCalls() == 0 ? null : m.averageUsecPerCall() / 1e6,
                    lookups == 0 ? null : (double) m.keyspaceHits() / lookups);
        }
        long calls = now.calls() - before.calls();
        long hits = now.hits() - before.hits();
        long lookups = hits + now.misses() - before.misses();
        return new Point(address, (now.commands() - before.commands()) / seconds, m.usedMemoryBytes(), m.maxMemoryBytes(),
                calls == 0 ? null : (now.usec() - before.usec()) / 1e6 / calls,
                lookups == 0 ? null : (double) hits / lookups);
    }

    /** Oldest first. */
    public synchronized List<Sample> samples() {
        return new ArrayList<>(samples);
    }
}
