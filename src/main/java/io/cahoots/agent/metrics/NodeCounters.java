package io.cahoots.agent.metrics;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.NodeMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * What a node counts since its start, exported as counters of that figure ({@link FunctionCounter}s reading the
 * latest {@code INFO}), so a client's {@code rate()} gives ops/s, hits/s or the average command time:
 * <ol>
 *   <li>at a node's first snapshot with metrics, one counter per figure is registered, tagged {@code node} only;</li>
 *   <li>every snapshot replaces the node's latest {@link NodeMetrics}; the counters read it at scrape time;</li>
 *   <li>a node that left the cluster has its counters removed.</li>
 * </ol>
 * A node restart starts its figures at 0: a counter reset, which {@code rate()} and {@code increase()} handle.
 */
final class NodeCounters {

    private enum Figure {
        COMMANDS_PROCESSED("commands.processed", null, "total_commands_processed", NodeMetrics::totalCommandsProcessed),
        COMMANDS("commands", null, "Calls over all commands (commandstats)", NodeMetrics::commandCalls),
        COMMANDS_DURATION("commands.duration", "seconds", "Time spent in all commands (commandstats usec)",
                m -> m.commandUsec() / 1e6),
        HITS("keyspace.hits", null, "keyspace_hits", NodeMetrics::keyspaceHits),
        MISSES("keyspace.misses", null, "keyspace_misses", NodeMetrics::keyspaceMisses);

        final String name;
        final String unit;
        final String description;
        final ToDoubleFunction<NodeMetrics> read;

        Figure(String name, String unit, String description, ToDoubleFunction<NodeMetrics> read) {
            this.name = name;
            this.unit = unit;
            this.description = description;
            this.read = read;
        }
    }

    /** The latest figures of one node, read by its counters. */
    private static final class Latest {
        volatile NodeMetrics metrics;
        final List<Meter> meters = new java.util.ArrayList<>();
    }

    private final MeterRegistry registry;
    private final String prefix;
    private final Map<String, Latest> nodes = new HashMap<>();

    NodeCounters(MeterRegistry registry, String prefix) {
        this.registry = registry;
        this.prefix = prefix;
    }

    synchronized void onSnapshot(List<ClusterNode> snapshot) {
        Set<String> present = new HashSet<>();
        for (ClusterNode n : snapshot) {
            present.add(n.id());
            if (n.metrics().isEmpty()) {
                continue; // unread this poll: the counters keep the last figures rather than drop to 0
            }
            Latest latest = nodes.computeIfAbsent(n.id(), id -> register(id));
            latest.metrics = n.metrics().get();
        }
        nodes.entrySet().removeIf(e -> {
            if (present.contains(e.getKey())) {
                return false;
            }
            e.getValue().meters.forEach(registry::remove);
            return true;
        });
    }

    private Latest register(String id) {
        Latest latest = new Latest();
        for (Figure f : Figure.values()) {
            latest.meters.add(FunctionCounter.builder(prefix + f.name, latest,
                            l -> l.metrics == null ? 0 : f.read.applyAsDouble(l.metrics))
                    .baseUnit(f.unit).description(f.description).tag("node", id).register(registry));
        }
        return latest;
    }
}
