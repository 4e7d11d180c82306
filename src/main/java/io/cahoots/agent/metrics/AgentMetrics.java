package io.cahoots.agent.metrics;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.NodeMetrics;
import io.cahoots.agent.cluster.SlotRange;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * Names every meter the agent exports. Node meters are tagged with {@code node} (the 40-character id),
 * {@code address} and {@code role}: bounded by the cluster's size, never by keys. Rows of nodes that
 * left the cluster disappear at the next snapshot ({@link MultiGauge} with overwrite).
 */
@Singleton
public class AgentMetrics {

    public static final String PREFIX = "cahoots.";

    private final MeterRegistry registry;
    private final Map<String, MultiGauge> nodeGauges = new HashMap<>();
    private final Timer pollDuration;
    private final AtomicLong clusterStateOk = new AtomicLong();
    private final AtomicLong slotsAssigned = new AtomicLong();
    private final AtomicLong slotsFailed = new AtomicLong();
    private final AtomicLong openSlots = new AtomicLong();
    private final AtomicLong nodesAgree = new AtomicLong();
    private final AtomicLong topologyVersion = new AtomicLong();
    private final AtomicLong nodesUnreachable = new AtomicLong();
    private final AtomicLong jobRunning = new AtomicLong();
    private final AtomicLong jobSlotsDone = new AtomicLong();
    private final AtomicLong jobSlotsTotal = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicReference<Double> migrationKeysPerSecond =
            new java.util.concurrent.atomic.AtomicReference<>(0.0);
    /** Previous cumulative (calls, usec) per node, to turn commandstats into a per-interval average. */
    private final Map<String, long[]> previousCommandTotals = new HashMap<>();

    public AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        pollDuration = Timer.builder(PREFIX + "cluster.poll.duration").description("Time to read every cluster node once")
                .publishPercentiles(0.5, 0.99).register(registry);
        gauge("cluster.state.ok", clusterStateOk, "1 when every reachable node reports cluster_state:ok");
        gauge("cluster.slots.assigned", slotsAssigned, "Slots some master claims");
        gauge("cluster.slots.failed", slotsFailed, "Slots owned by masters in fail state");
        gauge("cluster.slots.open", openSlots, "Slots left migrating or importing");
        gauge("cluster.nodes.agree", nodesAgree, "1 when every reachable node has the same slot map");
        gauge("cluster.topology.version", topologyVersion, "Version of the observed topology");
        gauge("cluster.nodes.unreachable", nodesUnreachable, "Addresses the agent could not read in the last poll");
        gauge("job.running", jobRunning, "1 while a mutating job runs");
        gauge("job.slots.done", jobSlotsDone, "Slots the running job has moved");
        gauge("job.slots.total", jobSlotsTotal, "Slots the running job will move");
        io.micrometer.core.instrument.Gauge.builder(PREFIX + "migration.keys.per.second", migrationKeysPerSecond, r -> r.get())
                .description("Keys per second of the running migration").register(registry);
        for (NodeGauge g : NodeGauge.values()) {
            nodeGauges.put(g.name, MultiGauge.builder(PREFIX + "redis." + g.name).description(g.description)
                    .baseUnit(g.unit).register(registry));
        }
    }

    private void gauge(String name, AtomicLong value, String description) {
        io.micrometer.core.instrument.Gauge.builder(PREFIX + name, value, AtomicLong::doubleValue)
                .description(description).register(registry);
    }

    /**
     * @param perNode false on a follower of the fleet: the leader exports the per-node series, so that Prometheus
     *                holds one copy of them, not one per sidecar (a follower's rows are cleared)
     */
    public synchronized void onSnapshot(ClusterSnapshot s, boolean perNode) {
        pollDuration.record(s.pollDuration());
        clusterStateOk.set("ok".equals(s.state()) ? 1 : 0);
        slotsAssigned.set(s.slotsAssigned());
        slotsFailed.set(SlotRange.count(s.check().failedSlots()));
        openSlots.set(s.check().openSlotCount());
        nodesAgree.set(s.check().agree() ? 1 : 0);
        topologyVersion.set(s.version());
        nodesUnreachable.set(s.check().unreachable().size());

        if (!perNode) {
            nodeGauges.values().forEach(g -> g.register(List.of(), true));
            previousCommandTotals.clear();
            return;
        }
        Map<String, double[]> intervalLatency = new HashMap<>();
        for (ClusterNode n : s.nodes()) {
            n.metrics().ifPresent(m -> intervalLatency.put(n.id(), new double[]{intervalAverageUsec(n.id(), m)}));
        }
        previousCommandTotals.keySet().retainAll(intervalLatency.keySet());

        for (NodeGauge g : NodeGauge.values()) {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (ClusterNode n : s.nodes()) {
                Tags tags = Tags.of("node", n.id(), "address", n.addressText(), "role", n.role().wire());
                double value;
                if (g == NodeGauge.UP) {
                    value = n.health() == Health.OK || n.health() == Health.PFAIL ? 1 : 0;
                } else if (g == NodeGauge.COMMAND_LATENCY) {
                    double[] v = intervalLatency.get(n.id());
                    if (v == null) {
                        continue;
                    }
                    value = v[0];
                } else if (g == NodeGauge.REPLICATION_LAG) {
                    value = n.replicationLagBytes();
                } else if (n.metrics().isPresent()) {
                    value = g.read.applyAsDouble(n.metrics().get());
                } else {
                    continue;
                }
                rows.add(MultiGauge.Row.of(tags, value));
            }
            nodeGauges.get(g.name).register(rows, true);
        }
    }

    /** Microseconds per call over the last poll interval; the cumulative average on the first sight of a node. */
    private double intervalAverageUsec(String id, NodeMetrics m) {
        long[] prev = previousCommandTotals.put(id, new long[]{m.commandCalls(), m.commandUsec()});
        if (prev != null && m.commandCalls() > prev[0] && m.commandUsec() >= prev[1]) {
            return (double) (m.commandUsec() - prev[1]) / (m.commandCalls() - prev[0]);
        }
        return m.averageUsecPerCall();
    }

    public void jobStarted(String type) {
        registry.counter(PREFIX + "jobs.started", "type", type).increment();
    }

    public void jobFinished(String type, String state, long keysMoved) {
        registry.counter(PREFIX + "jobs.finished", "type", type, "state", state).increment();
        registry.counter(PREFIX + "migration.keys.moved").increment(keysMoved);
        jobProgress(false, 0, 0, 0);
    }

    /** The running job's progress (or {@code running == false} when none runs). */
    public void jobProgress(boolean running, int slotsDone, int slotsTotal, double keysPerSecond) {
        jobRunning.set(running ? 1 : 0);
        jobSlotsDone.set(slotsDone);
        jobSlotsTotal.set(slotsTotal);
        migrationKeysPerSecond.set(keysPerSecond);
    }

    private enum NodeGauge {
        UP("up", null, "1 when the agent reads the node and no peer flags it failed", null),
        USED_MEMORY("memory.used", "bytes", "used_memory", NodeMetrics::usedMemoryBytes),
        MAX_MEMORY("memory.max", "bytes", "maxmemory (0 = unlimited)", NodeMetrics::maxMemoryBytes),
        CLIENTS("clients.connected", null, "connected_clients", NodeMetrics::connectedClients),
        OPS("ops.per.second", null, "instantaneous_ops_per_sec", NodeMetrics::opsPerSec),
        HITS("keyspace.hits", null, "keyspace_hits since the node started", NodeMetrics::keyspaceHits),
        MISSES("keyspace.misses", null, "keyspace_misses since the node started", NodeMetrics::keyspaceMisses),
        KEYS("keys", null, "Keys over all databases", NodeMetrics::keys),
        REPLICATION_OFFSET("replication.offset", "bytes", "master_repl_offset / slave_repl_offset", NodeMetrics::replicationOffset),
        REPLICATION_LAG("replication.lag", "bytes", "Master offset minus replica offset", null),
        COMMAND_LATENCY("command.latency.average", "microseconds", "Average usec per command over the last poll interval", null),
        COMMAND_P99("command.latency.p99.max", "microseconds", "Worst per-command p99 from latencystats", NodeMetrics::worstP99Usec);

        final String name;
        final String unit;
        final String description;
        final ToDoubleFunction<NodeMetrics> read;

        NodeGauge(String name, String unit, String description, ToDoubleFunction<NodeMetrics> read) {
            this.name = name;
            this.unit = unit;
            this.description = description;
            this.read = read;
        }
    }
}
