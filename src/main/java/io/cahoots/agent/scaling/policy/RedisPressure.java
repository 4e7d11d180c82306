package io.cahoots.agent.scaling.policy;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.NodeMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Evidence, from the Redis nodes the agent watches, that Redis rather than the API is what makes requests slow.
 * Empty evidence means Redis looks healthy.
 *
 * <ol>
 *   <li>High command latency: a node's worst per-command p99 ({@code latencystats}, Redis 7+) or its average
 *       time per call over the last poll interval (from {@code commandstats} of two consecutive snapshots)
 *       reaches {@code latencyMs}.</li>
 *   <li>Memory pressure: {@code used_memory / maxmemory} reaches {@code memoryPercent} on a node with a limit
 *       (evictions or OOM errors are next).</li>
 * </ol>
 * The p99 of {@code latencystats} is cumulative since the node started (or {@code CONFIG RESETSTAT}), so it is
 * weaker evidence than the interval average; both are reported as they are.
 */
public record RedisPressure(List<String> evidence) {

    public static final RedisPressure NONE = new RedisPressure(List.of());

    public RedisPressure {
        evidence = List.copyOf(evidence);
    }

    public boolean present() {
        return !evidence.isEmpty();
    }

    /**
     * @param previous the snapshot before {@code current}, to turn cumulative command totals into an interval average
     */
    public static RedisPressure of(ClusterSnapshot current, Optional<ClusterSnapshot> previous, double latencyMs,
                                   double memoryPercent) {
        List<String> evidence = new ArrayList<>();
        for (ClusterNode n : current.nodes()) {
            if (n.metrics().isEmpty()) {
                continue;
            }
            NodeMetrics m = n.metrics().get();
            String who = n.addressText().isEmpty() ? n.id() : n.addressText();
            Optional<Map.Entry<String, Double>> worst = m.p99UsecByCommand().entrySet().stream().max(Map.Entry.comparingByValue());
            if (worst.isPresent() && worst.get().getValue() / 1000 >= latencyMs) {
                evidence.add(String.format(Locale.ROOT, "%s p99 %s %.1fms >= %sms", who, worst.get().getKey(),
                        worst.get().getValue() / 1000, plain(latencyMs)));
            }
            intervalAverageUsec(n, m, previous).filter(usec -> usec / 1000 >= latencyMs).ifPresent(usec ->
                    evidence.add(String.format(Locale.ROOT, "%s average %.1fms per command over the last poll >= %sms", who,
                            usec / 1000, plain(latencyMs))));
            if (m.maxMemoryBytes() > 0) {
                double percent = 100.0 * m.usedMemoryBytes() / m.maxMemoryBytes();
                if (percent >= memoryPercent) {
                    evidence.add(String.format(Locale.ROOT, "%s memory %.0f%% of maxmemory (%d of %d MiB) >= %s%%", who, percent,
                            m.usedMemoryBytes() >> 20, m.maxMemoryBytes() >> 20, plain(memoryPercent)));
                }
            }
        }
        return new RedisPressure(evidence);
    }

    private static Optional<Double> intervalAverageUsec(ClusterNode n, NodeMetrics now, Optional<ClusterSnapshot> previous) {
        Optional<NodeMetrics> before = previous.flatMap(p -> p.node(n.id())).flatMap(ClusterNode::metrics);
        if (before.isEmpty() || now.commandCalls() <= before.get().commandCalls() || now.commandUsec() < before.get().commandUsec()) {
            return Optional.empty();
        }
        return Optional.of((double) (now.commandUsec() - before.get().commandUsec()) / (now.commandCalls() - before.get().commandCalls()));
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
