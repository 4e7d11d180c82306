package io.cahoots.agent.metrics;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.NodeMetrics;
import io.cahoots.agent.cluster.RecentLatency;
import io.cahoots.agent.cluster.SlotRange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names every cluster, node and job meter, by the Prometheus conventions (base units, {@code _total} counters,
 * histograms for timings, identity in an {@code _info} series):
 * <ol>
 *   <li>Node series carry only {@code node} (the 40-character id): a failover changes no node series, only the
 *       row of {@code cahoots_redis_node_info{node,address,role}}. Join on {@code node} to show addresses.</li>
 *   <li>What Redis counts since its start (hits, misses, commands, command time) is exported as a counter of that
 *       figure ({@link NodeCounters}), so clients take {@code rate()}; a node restart is a counter reset, which
 *       {@code rate()} handles.</li>
 *   <li>Rows of nodes that left disappear at the next snapshot ({@link GaugeRows}, counters removed); rows that stay are updated in place, so no scrape misses them.</li>
 * </ol>
 */
@Singleton
public class AgentMetrics {

    public static final String PREFIX = "cahoots.";

    /** Every job type and final state, registered at start so that {@code increase()} sees the first one. */
    static final List<String> JOB_TYPES = List.of("rebalance", "fix", "add-node", "remove-node", "add-nodes", "remove-nodes", "recover");
    static final List<String> FINAL_STATES = List.of("SUCCEEDED", "FAILED", "CANCELLED", "INTERRUPTED");

    private final MeterRegistry registry;
    private final NodeGauges nodeGauges;
    private final NodeCounters nodeCounters;
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
    private final Counter keysMoved;
    /** Keys of the running job already added to {@link #keysMoved}: the counter grows as keys move, once per key. */
    private long keysCounted;

    /** The window of the exported recent command latency: shorter than a scrape interval's few samples would smooth. */
    public static final Duration RECENT_LATENCY_WINDOW = Duration.ofSeconds(10);
    private final RecentLatency recentLatency = new RecentLatency(RECENT_LATENCY_WINDOW);

    public AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        pollDuration = Timer.builder(PREFIX + "cluster.poll.duration").description("Time to read every cluster node once")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
                        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5))
                .register(registry);
        gauge("cluster.state.ok", clusterStateOk, "1 when every reachable node reports cluster_state:ok");
        gauge("cluster.slots.assigned", slotsAssigned, "Slots some master claims");
        gauge("cluster.slots.failed", slotsFailed, "Slots owned by masters in fail state");
        gauge("cluster.slots.open", openSlots, "Slots left migrating or importing");
        gauge("cluster.nodes.agree", nodesAgree, "1 when every reachable node has the same slot map");
        gauge("cluster.topology.version", topologyVersion, "Version of the observed topology");
        gauge("cluster.nodes.unreachable", nodesUnreachable, "Addresses the agent could not read in the last poll");
        gauge("job.running", jobRunning, "1 while a mutating job runs");
        gauge("job.slots.done", jobSlotsDone, "Slots the running job has moved");
        // Not "slots.total": a gauge named _total reads as a counter to every Prometheus user and tool.
        gauge("job.slots.planned", jobSlotsTotal, "Slots the running job will move");
        migrationGauges();
        keysMoved = Counter.builder(PREFIX + "migration.keys.moved").description("Keys moved by migrations, counted as they move")
                .register(registry);
        for (String type : JOB_TYPES) {
            jobsStarted(type);
            for (String state : FINAL_STATES) {
                jobsFinished(type, state);
            }
        }
        nodeGauges = new NodeGauges(registry, PREFIX + "redis.");
        nodeCounters = new NodeCounters(registry, PREFIX + "redis.");
    }

    /** The running migration's pace (issue 16); 0 when none moves. Written by one thread, read at scrapes. */
    private volatile double migrationBatchKeys;
    private volatile double migrationLatencySeconds;
    private volatile double migrationBudgetSeconds;

    private void migrationGauges() {
        Gauge.builder(PREFIX + "migration.batch.keys", this, m -> m.migrationBatchKeys)
                .description("Keys per MIGRATE round the running migration allows itself now (summed over its moves)").register(registry);
        Gauge.builder(PREFIX + "migration.latency.observed", this, m -> m.migrationLatencySeconds).baseUnit("seconds")
                .description("Latency the last MIGRATE round added on a source or target: its duration less two idle round trips, or a longer PING wait").register(registry);
        Gauge.builder(PREFIX + "migration.latency.budget", this, m -> m.migrationBudgetSeconds).baseUnit("seconds")
                .description("AGENT_MIGRATION_MAX_LATENCY while a migration runs (0: none)").register(registry);
        // No keys-per-second gauge: by the Prometheus conventions a rate is rate() of cahoots_migration_keys_moved_total
        // (the job's progress JSON has currentKeysPerSecond).
    }

    /** The running migration's pace, or zeros when none runs. */
    public void migrationPace(int batchKeys, double observedLatencySeconds, double budgetSeconds) {
        migrationBatchKeys = batchKeys;
        migrationLatencySeconds = observedLatencySeconds;
        migrationBudgetSeconds = budgetSeconds;
    }

    private void gauge(String name, AtomicLong value, String description) {
        Gauge.builder(PREFIX + name, value, AtomicLong::doubleValue).description(description).register(registry);
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
        // A follower of the fleet clears its rows: the leader exports the per-node series, one copy in Prometheus.
        List<ClusterNode> nodes = perNode ? s.nodes() : List.of();
        recentLatency.record(s);
        nodeGauges.onSnapshot(nodes, recentLatency);
        nodeCounters.onSnapshot(nodes);
    }

    /** 1 when the node is read and no peer flags it failed: PFAIL is one peer's suspicion, not a verdict. */
    static boolean up(ClusterNode n) {
        return n.health() == Health.OK || n.health() == Health.PFAIL;
    }

    public void jobStarted(String type) {
        jobsStarted(type).increment();
        synchronized (this) {
            keysCounted = 0;
        }
    }

    public void jobFinished(String type, String state, long keysMovedByJob) {
        jobsFinished(type, state).increment();
        countKeys(keysMovedByJob);
        jobProgress(false, 0, 0, keysMovedByJob);
        synchronized (this) {
            keysCounted = 0;
        }
    }

    /** A job another run of the agent left unfinished, found at start: it ends as INTERRUPTED without running here. */
    public void jobInterrupted(String type) {
        jobsFinished(type, "INTERRUPTED").increment();
    }

    /** The running job's progress (or {@code running == false} when none runs); {@code keysMovedByJob} so far. */
    public void jobProgress(boolean running, int slotsDone, int slotsTotal, long keysMovedByJob) {
        jobRunning.set(running ? 1 : 0);
        jobSlotsDone.set(slotsDone);
        jobSlotsTotal.set(slotsTotal);
        if (running) {
            countKeys(keysMovedByJob);
        }
    }

    private synchronized void countKeys(long keysMovedByJob) {
        if (keysMovedByJob > keysCounted) {
            keysMoved.increment(keysMovedByJob - keysCounted);
            keysCounted = keysMovedByJob;
        }
    }

    private Counter jobsStarted(String type) {
        return Counter.builder(PREFIX + "jobs.started").description("Jobs started, by type").tag("type", type).register(registry);
    }

    private Counter jobsFinished(String type, String state) {
        return Counter.builder(PREFIX + "jobs.finished").description("Jobs ended, by type and final state")
                .tag("type", type).tag("state", state).register(registry);
    }

    /** Per-node gauges: one {@link MultiGauge} each, its rows updated in place at every snapshot ({@link GaugeRows}). */
    static final class NodeGauges {

        private final GaugeRows info;
        private final GaugeRows up;
        private final GaugeRows usedMemory;
        private final GaugeRows maxMemory;
        private final GaugeRows clients;
        private final GaugeRows keys;
        private final GaugeRows offset;
        private final GaugeRows lag;
        private final GaugeRows linkUp;
        private final GaugeRows p99;
        private final GaugeRows recent;

        NodeGauges(MeterRegistry registry, String prefix) {
            info = new GaugeRows(MultiGauge.builder(prefix + "node.info").description("Identity of a node: address and role, always 1")
                    .register(registry));
            up = new GaugeRows(MultiGauge.builder(prefix + "up").description("1 when the agent reads the node and no peer flags it failed")
                    .register(registry));
            usedMemory = new GaugeRows(MultiGauge.builder(prefix + "memory.used").baseUnit("bytes").description("used_memory").register(registry));
            maxMemory = new GaugeRows(MultiGauge.builder(prefix + "memory.max").baseUnit("bytes").description("maxmemory (0 = unlimited)")
                    .register(registry));
            clients = new GaugeRows(MultiGauge.builder(prefix + "clients.connected").description("connected_clients").register(registry));
            keys = new GaugeRows(MultiGauge.builder(prefix + "keys").description("Keys over all databases").register(registry));
            offset = new GaugeRows(MultiGauge.builder(prefix + "replication.offset").baseUnit("bytes")
                    .description("master_repl_offset / slave_repl_offset").register(registry));
            lag = new GaugeRows(MultiGauge.builder(prefix + "replication.lag").baseUnit("bytes").description("Master offset minus replica offset")
                    .register(registry));
            linkUp = new GaugeRows(MultiGauge.builder(prefix + "master.link.up").description("Replicas only: 1 when master_link_status is up")
                    .register(registry));
            p99 = new GaugeRows(MultiGauge.builder(prefix + "command.latency.p99.max").baseUnit("seconds")
                    .description("Worst per-command p99 from latencystats (Redis 7+), 0 before; cumulative since the node started")
                    .register(registry));
            recent = new GaugeRows(MultiGauge.builder(prefix + "command.latency.recent.max").baseUnit("seconds")
                    .description("Average time per call of the node's slowest command over the last 10 s (commandstats differences)")
                    .register(registry));
        }

        void onSnapshot(List<ClusterNode> nodes, RecentLatency recentLatency) {
            Map<Tags, Number> infoRows = new HashMap<>();
            Map<Tags, Number> upRows = new HashMap<>();
            Map<Tags, Number> lagRows = new HashMap<>();
            Map<Tags, Number> used = new HashMap<>();
            Map<Tags, Number> max = new HashMap<>();
            Map<Tags, Number> cl = new HashMap<>();
            Map<Tags, Number> k = new HashMap<>();
            Map<Tags, Number> off = new HashMap<>();
            Map<Tags, Number> link = new HashMap<>();
            Map<Tags, Number> p = new HashMap<>();
            Map<Tags, Number> r = new HashMap<>();
            for (ClusterNode n : nodes) {
                Tags node = Tags.of("node", n.id());
                infoRows.put(node.and("address", n.addressText(), "role", n.role().wire()), 1);
                upRows.put(node, up(n) ? 1 : 0);
                lagRows.put(node, n.replicationLagBytes());
                if (n.metrics().isEmpty()) {
                    continue;
                }
                NodeMetrics m = n.metrics().get();
                used.put(node, m.usedMemoryBytes());
                max.put(node, m.maxMemoryBytes());
                cl.put(node, m.connectedClients());
                k.put(node, m.keys());
                off.put(node, m.replicationOffset());
                p.put(node, m.worstP99Usec() / 1e6);
                recentLatency.slowest(n.id()).ifPresent(c -> r.put(node, c.usecPerCall() / 1e6));
                if (!n.isMaster()) {
                    link.put(node, m.masterLinkUp() ? 1 : 0);
                }
            }
            info.set(infoRows);
            up.set(upRows);
            lag.set(lagRows);
            usedMemory.set(used);
            maxMemory.set(max);
            clients.set(cl);
            keys.set(k);
            offset.set(off);
            linkUp.set(link);
            p99.set(p);
            recent.set(r);
        }
    }
}
