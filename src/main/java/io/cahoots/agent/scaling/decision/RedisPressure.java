package io.cahoots.agent.scaling.decision;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.NodeMetrics;
import io.cahoots.agent.cluster.RecentLatency;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Evidence, from the Redis nodes the agent watches, that Redis rather than the API is what makes requests slow.
 * Empty evidence means Redis looks healthy.
 *
 * <ol>
 *   <li>High command latency: on a node, the average time of its slowest command over the recent window
 *       ({@link RecentLatency}, from {@code commandstats} differences) reaches {@code latencyMs}.</li>
 *   <li>Memory pressure: {@code used_memory / maxmemory} reaches {@code memoryPercent} on a node with a limit
 *       (evictions or OOM errors are next).</li>
 * </ol>
 * Every figure describes the recent past. The {@code latencystats} percentiles are not used: they are cumulative since
 * the node started (or {@code CONFIG RESETSTAT}), so one slow command in a node's life would veto API scaling for
 * ever.
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
     * @param recent the recent per-node averages, already fed with {@code current}
     */
    public static RedisPressure of(ClusterSnapshot current, RecentLatency recent, double latencyMs, double memoryPercent) {
        List<String> evidence = new ArrayList<>();
        for (ClusterNode n : current.nodes()) {
            if (n.metrics().isEmpty()) {
                continue;
            }
            NodeMetrics m = n.metrics().get();
            String who = n.addressText().isEmpty() ? n.id() : n.addressText();
            recent.slowest(n.id()).filter(c -> c.usecPerCall() / 1000 >= latencyMs).ifPresent(c ->
                    evidence.add(String.format(Locale.ROOT, "%s %s %.1fms per call over the last %s >= %sms", who,
                            c.command(), c.usecPerCall() / 1000, ScalingPolicy.human(recent.window()), plain(latencyMs))));
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

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
