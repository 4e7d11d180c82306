package io.cahoots.agent.scaling.shard;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeMetrics;
import io.cahoots.agent.cluster.RecentLatency;

import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * What the shard policy reads at one instant, reduced from a cluster snapshot by {@link #of}. A trigger without a
 * reading is in {@code missing} with the reason.
 *
 * @param masters    masters in the cluster (an empty one included)
 * @param clusterOk  the snapshot's check passed: every slot covered, no open slot, the nodes agree
 * @param jobRunning a job changes the cluster: no step starts beside it
 */
public record ShardSample(Instant at, int masters, boolean clusterOk, boolean jobRunning, Map<ShardTrigger, Double> values,
                          Map<ShardTrigger, String> missing, Headroom headroom) {

    public ShardSample {
        values = values.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(values));
        missing = missing.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(missing));
    }

    /**
     * What a scale-in would leave: the drained master's data goes to the others.
     *
     * @param drain          the master a scale-in would drain: from a spare pool, the one holding the least memory among
     *                       those that came from the pool, else among all; from a StatefulSet, the one its two highest
     *                       ordinals take out ({@link StatefulSetScaleIn})
     * @param usedBytes      used_memory over every master
     * @param drainedBytes   used_memory of {@code drain}
     * @param remainingBytes maxmemory over every master but {@code drain}
     * @param opsPerSecond   ops/s over every master
     * @param unknown        why no scale-in can be judged: the headroom cannot be (a master without maxmemory, no master
     *                       read) or no shard can be taken out (said as a whole sentence)
     * @param note           how the node source takes {@code drain} out, for the decision ("" when nothing to add)
     */
    public record Headroom(Optional<String> drain, String drainAddress, long usedBytes, long drainedBytes, long remainingBytes,
                           double opsPerSecond, Optional<String> unknown, String note) {

        public Headroom(Optional<String> drain, String drainAddress, long usedBytes, long drainedBytes, long remainingBytes,
                        double opsPerSecond, Optional<String> unknown) {
            this(drain, drainAddress, usedBytes, drainedBytes, remainingBytes, opsPerSecond, unknown, "");
        }

        public static Headroom unknown(String why) {
            return new Headroom(Optional.empty(), "", 0, 0, 0, 0, Optional.of("cannot check the headroom: " + why));
        }
    }

    /**
     * The master a scale-in would drain as the node source decides it (a StatefulSet: the one its highest ordinals take
     * out), or why none can be.
     */
    public record DrainTarget(Optional<String> master, String label, String note, Optional<String> refused) {

        public static DrainTarget of(StatefulSetScaleIn.Plan p) {
            return new DrainTarget(p.drain(), p.label(), p.note(), p.refused());
        }
    }

    public OptionalDouble value(ShardTrigger t) {
        Double v = values.get(t);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** @param pool the spare-node pool: a master taken from it is drained before one that was there before */
    public static ShardSample of(ClusterSnapshot s, RecentLatency recent, boolean jobRunning, Set<HostPort> pool) {
        return of(s, recent, jobRunning, pool, Optional.empty());
    }

    /** @param target the master a scale-in drains when the node source decides it; empty: chosen from {@code pool} as above */
    public static ShardSample of(ClusterSnapshot s, RecentLatency recent, boolean jobRunning, Set<HostPort> pool,
                                 Optional<DrainTarget> target) {
        List<ClusterNode> masters = s.masters();
        Map<ShardTrigger, Double> values = new EnumMap<>(ShardTrigger.class);
        Map<ShardTrigger, String> missing = new EnumMap<>(ShardTrigger.class);
        List<ClusterNode> read = masters.stream().filter(n -> n.metrics().isPresent()).toList();
        if (read.size() < masters.size() || masters.isEmpty()) {
            String why = masters.isEmpty() ? "no master known" : (masters.size() - read.size()) + " master(s) not read";
            for (ShardTrigger t : ShardTrigger.values()) {
                missing.put(t, why);
            }
            return new ShardSample(s.takenAt(), masters.size(), s.check() != null && s.check().ok(), jobRunning, values, missing,
                    Headroom.unknown(why));
        }
        List<NodeMetrics> m = read.stream().map(n -> n.metrics().get()).toList();
        Optional<ClusterNode> unlimited = read.stream().filter(n -> n.metrics().get().maxMemoryBytes() <= 0).findFirst();
        if (unlimited.isPresent()) {
            missing.put(ShardTrigger.MEMORY, "maxmemory is not set on " + unlimited.get().addressText());
        } else {
            values.put(ShardTrigger.MEMORY, m.stream().mapToDouble(x -> 100.0 * x.usedMemoryBytes() / x.maxMemoryBytes()).max().orElse(0));
        }
        double ops = m.stream().mapToDouble(NodeMetrics::opsPerSec).sum();
        values.put(ShardTrigger.OPS, ops / masters.size());
        OptionalDouble slowest = read.stream().flatMap(n -> recent.slowest(n.id()).stream())
                .mapToDouble(c -> c.usecPerCall() / 1000).max();
        if (slowest.isPresent()) {
            values.put(ShardTrigger.LATENCY, slowest.getAsDouble());
        } else {
            missing.put(ShardTrigger.LATENCY, "no command in the recent window");
        }
        long used = m.stream().mapToLong(NodeMetrics::usedMemoryBytes).sum();
        Headroom headroom;
        Optional<ClusterNode> named = target.flatMap(DrainTarget::master).flatMap(id -> read.stream().filter(n -> n.id().equals(id)).findFirst());
        if (target.isPresent() && named.isEmpty()) {
            headroom = new Headroom(Optional.empty(), "", used, 0, 0, ops, Optional.of(target.get().refused()
                    .orElse("cannot check the headroom: the master to drain is not read")), "");
        } else {
            Comparator<ClusterNode> fromPoolFirst = Comparator.comparing((ClusterNode n) -> !n.address().map(pool::contains).orElse(false));
            ClusterNode drain = named.orElseGet(() -> read.stream()
                    .min(fromPoolFirst.thenComparingLong(n -> n.metrics().get().usedMemoryBytes())).orElseThrow());
            long remaining = read.stream().filter(n -> n != drain).mapToLong(n -> n.metrics().get().maxMemoryBytes()).sum();
            headroom = new Headroom(Optional.of(drain.id()), target.map(DrainTarget::label).orElse(drain.addressText()), used,
                    drain.metrics().get().usedMemoryBytes(), remaining, ops,
                    unlimited.map(n -> "cannot check the headroom: maxmemory is not set on " + n.addressText()),
                    target.map(DrainTarget::note).orElse(""));
        }
        return new ShardSample(s.takenAt(), masters.size(), s.check() != null && s.check().ok(), jobRunning, values, missing, headroom);
    }
}
