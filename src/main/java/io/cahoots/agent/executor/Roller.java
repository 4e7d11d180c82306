package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.planner.RollPlan;
import io.cahoots.agent.redis.RedisException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs a {@link RollPlan} inside a job, one node at a time (after Strimzi's KafkaRoller).
 *
 * <ol>
 *   <li>Before each node: stop here if a cancel was asked (the cluster is whole between nodes).</li>
 *   <li>A master first hands its slots over: wait until the planned replica (or, if the topology moved, the replica
 *       of that master with the least lag) has its link up, is not syncing and lags at most
 *       {@value #MAX_FAILOVER_LAG_BYTES} bytes; send it {@code CLUSTER FAILOVER} (the coordinated one: the master
 *       holds its clients until the replica has processed its whole stream, so no acknowledged write is lost); wait
 *       until the replica says {@code role:master}, every node agrees on the slot map, the old master follows the
 *       new one and every node reports {@code cluster_state:ok}. Up to {@value #FAILOVER_ATTEMPTS} attempts of
 *       {@link #FAILOVER_ATTEMPT} each (Redis abandons a manual failover after 5 s).</li>
 *   <li>Restart the node through the {@link NodeRestarter}; it is now a replica (or an empty master), so no slot is
 *       unserved while it is down.</li>
 *   <li>Wait until it is back: the same node id answers with a new {@code run_id}, is not loading, its replication
 *       link is up and its sync done, and every node is healthy, agrees, and reports {@code cluster_state:ok}.</li>
 * </ol>
 * Each wait is bounded by the node timeout; past it the job fails naming the node and the last unmet condition, and
 * the roll stops there (the cluster stays as it is: every slot served).
 */
final class Roller {

    private static final Logger LOG = Logger.getLogger(Roller.class);
    static final long MAX_FAILOVER_LAG_BYTES = 1024 * 1024;
    static final Duration FAILOVER_ATTEMPT = Duration.ofSeconds(15);
    static final int FAILOVER_ATTEMPTS = 3;
    /**
     * A Sentinel refuses a failover with NOGOODSLAVE while its last INFO of the replica predates the replica's
     * restart (Redis 7.0 then reports the link down since the epoch); it reads INFO again every 10 s. So after that
     * refusal the roll asks again every {@link #NO_GOOD_REPLICA_PAUSE}, writes not paused, for about 20 s.
     */
    static final int NO_GOOD_REPLICA_ATTEMPTS = 8;
    static final Duration NO_GOOD_REPLICA_PAUSE = Duration.ofSeconds(3);
    /** How long a Sentinel group's old primary holds its writers at most (until it follows the new primary). */
    static final Duration PAUSE = Duration.ofSeconds(40);
    private static final long POLL_MILLIS = 200;

    private final ClusterWatch watch;
    private final ClusterCommands redis;
    private final NodeRestarter restarter;
    private final SentinelGroups sentinel;
    private final Duration nodeTimeout;
    private volatile RollStatus status;

    Roller(ClusterWatch watch, ClusterCommands redis, NodeRestarter restarter, Duration nodeTimeout) {
        this(watch, redis, restarter, SentinelGroups.NONE, nodeTimeout);
    }

    Roller(ClusterWatch watch, ClusterCommands redis, NodeRestarter restarter, SentinelGroups sentinel, Duration nodeTimeout) {
        this.sentinel = sentinel;
        this.watch = watch;
        this.redis = redis;
        this.restarter = restarter;
        this.nodeTimeout = nodeTimeout;
    }

    void run(RollPlan plan, Job job) throws InterruptedException {
        status = RollStatus.start(restarter.kind(), plan);
        job.result(status);
        for (RollPlan.Step step : plan.steps()) {
            if (job.cancelRequested()) {
                throw new JobCancelledException("cancelled after " + status.nodesDone() + " of " + status.nodesTotal()
                        + " nodes; every node is up and the cluster ok");
            }
            long failoverMillis = 0;
            if (step.kind() == RollPlan.Kind.FAILOVER_THEN_RESTART) {
                long t0 = System.nanoTime();
                failOver(step, job);
                failoverMillis = (System.nanoTime() - t0) / 1_000_000;
            } else if (step.kind() == RollPlan.Kind.SENTINEL_FAILOVER_THEN_RESTART) {
                long t0 = System.nanoTime();
                sentinelFailOver(step, job);
                failoverMillis = (System.nanoTime() - t0) / 1_000_000;
            }
            long t0 = System.nanoTime();
            HostPort address = step.sentinel() ? restartSentinelNode(step, job) : restart(step, job);
            long restartMillis = (System.nanoTime() - t0) / 1_000_000;
            LOG.infof("roll: node %d/%d %s (%s) back and synced, cluster ok (failover %d ms, restart %d ms)",
                    step.index(), plan.nodes(), address, step.nodeId(), failoverMillis, restartMillis);
            update(job, status.finished(new RollStatus.Done(step.index(), step.nodeId(), address.toString(), failoverMillis,
                    restartMillis)));
        }
    }

    /** Hands the master's slots to an in-sync replica; see the class comment, step 2. */
    private void failOver(RollPlan.Step step, Job job) throws InterruptedException {
        ClusterSnapshot s = watch.refresh();
        ClusterNode master = s.node(step.nodeId()).orElseThrow(() -> new NodeRestartException(
                "master " + step.address() + " (" + step.nodeId() + ") is no longer in the cluster"));
        if (!master.isMaster()) {
            LOG.infof("roll: %s is a replica already; no failover needed", master.addressText());
            return;
        }
        ClusterNode replica = s.node(step.failoverToId())
                .filter(r -> r.masterId().filter(master.id()::equals).isPresent())
                .or(() -> s.replicasOf(master.id()).stream().filter(r -> r.health() == Health.OK)
                        .min(Comparator.comparingLong(ClusterNode::replicationLagBytes)))
                .orElseThrow(() -> new NodeRestartException("master " + master.addressText()
                        + " has no healthy replica left to fail over to"));
        HostPort m = master.address().orElseThrow();
        HostPort r = replica.address().orElseThrow();
        update(job, status.step("waiting for " + r + " to be in sync with master " + m));
        await("replica " + r + " to be in sync with " + m, nodeTimeout, () -> {
            ClusterCommands.NodeStatus rs = redis.status(r);
            ClusterCommands.NodeStatus ms = redis.status(m);
            if (!rs.linkUp() || rs.syncing() || rs.loading()) {
                return "its replication link is " + (rs.linkUp() ? "syncing" : "down");
            }
            long lag = ms.offset() - rs.offset();
            return lag > MAX_FAILOVER_LAG_BYTES ? "it lags " + lag + " bytes" : null;
        });
        for (int attempt = 1; ; attempt++) {
            update(job, status.step("CLUSTER FAILOVER on " + r + " to take over " + master.slotCount() + " slots from "
                    + m + (attempt > 1 ? " (attempt " + attempt + ")" : "")));
            redis.failover(r);
            try {
                await("the cluster to agree that " + r + " is master in place of " + m, FAILOVER_ATTEMPT,
                        () -> takenOver(replica.id(), master.id()));
                LOG.infof("roll: %s took over from %s", r, m);
                return;
            } catch (NodeRestartException e) {
                if (attempt >= FAILOVER_ATTEMPTS) {
                    throw new NodeRestartException("failover of " + m + " to " + r + " did not complete after "
                            + attempt + " attempts: " + e.getMessage());
                }
                LOG.warnf("roll: %s; trying again", e.getMessage());
            }
        }
    }

    /** Why the replica has not yet taken over from the master as every node sees it; null once it has. */
    private String takenOver(String replicaId, String masterId) {
        ClusterSnapshot s = watch.refresh();
        Optional<ClusterNode> r = s.node(replicaId);
        Optional<ClusterNode> m = s.node(masterId);
        if (r.isEmpty() || !r.get().isMaster() || r.get().slotCount() == 0) {
            return "it is not master with slots yet";
        }
        if (m.isEmpty() || m.get().isMaster() || m.get().masterId().filter(replicaId::equals).isEmpty()) {
            return "the old master does not follow it yet";
        }
        return clusterWhole(s);
    }

    /** Restarts the step's node and waits until it is back; see the class comment, steps 3 and 4. */
    private HostPort restart(RollPlan.Step step, Job job) throws InterruptedException {
        ClusterSnapshot s = watch.refresh();
        ClusterNode node = s.node(step.nodeId()).orElseThrow(() -> new NodeRestartException(
                "node " + step.address() + " (" + step.nodeId() + ") is no longer in the cluster"));
        HostPort address = node.address().orElseThrow(() -> new NodeRestartException(
                "node " + step.nodeId() + " has no address"));
        if (node.isMaster() && node.slotCount() > 0) {
            // Only a failover may precede the restart of a master with slots; never take a shard's slots down.
            throw new NodeRestartException(address + " still serves " + node.slotCount() + " slots: not restarting it");
        }
        String runId = redis.status(address).runId();
        update(job, status.step("restarting " + address + " (" + node.role().wire() + ") through the " + restarter.kind()));
        HostPort now;
        try {
            now = restarter.restart(address, nodeTimeout);
        } catch (NodeRestartException e) {
            throw new NodeRestartException("restart of " + address + " failed: " + e.getMessage(), e);
        }
        update(job, status.step("waiting for " + now + " to be back, synced and the cluster ok"));
        await(now + " (" + step.nodeId() + ") to be back, synced and the cluster ok", nodeTimeout, () -> {
            ClusterCommands.NodeStatus st = redis.status(now);
            if (runId != null && runId.equals(st.runId())) {
                return "it still runs the process from before the restart";
            }
            if (st.loading()) {
                return "it is loading its data";
            }
            if (!step.nodeId().equals(st.id())) {
                return "it answers as node " + st.id() + ", not " + step.nodeId() + " (was its nodes.conf lost?)";
            }
            if (!st.master() && (!st.linkUp() || st.syncing())) {
                return "its replication link is " + (st.linkUp() ? "syncing" : "down");
            }
            if (!st.clusterStateOk()) {
                return "it reports cluster_state other than ok";
            }
            ClusterSnapshot after = watch.refresh();
            if (after.node(step.nodeId()).map(n -> n.health() != Health.OK).orElse(true)) {
                return "the cluster does not see it healthy yet";
            }
            return clusterWhole(after);
        });
        return now;
    }

    /**
     * A Sentinel group's primary hands over: wait until one of its replicas is in sync (link up, not syncing, lag at
     * most {@value #MAX_FAILOVER_LAG_BYTES} bytes); {@code CLIENT PAUSE WRITE} on the primary and wait until a replica
     * has its offset; {@code SENTINEL FAILOVER}; wait until a majority of the Sentinels name a new primary and that
     * one says {@code role:master}; make the old primary its replica ({@code REPLICAOF}, {@code CONFIG REWRITE}, what
     * Sentinel would do seconds later); unpause; wait until the old primary's link is up and its sync done. Sentinel's
     * own failover is not coordinated like {@code CLUSTER FAILOVER}: without the pause the old primary would
     * acknowledge writes until demoted and lose them on resync.
     */
    private void sentinelFailOver(RollPlan.Step step, Job job) throws InterruptedException {
        String group = step.group();
        HostPort old = HostPort.parse(step.address());
        HostPort current = sentinel.primary(group).orElseThrow(() -> new NodeRestartException(
                "the Sentinels of " + group + " do not agree on its primary"));
        if (!current.equals(old)) {
            LOG.infof("roll: %s is no longer the primary of %s (%s is); no failover needed", old, group, current);
            return;
        }
        update(job, status.step("waiting for a replica of " + group + " to be in sync with its primary " + old));
        await("a replica of " + group + " to be in sync with " + old, nodeTimeout, () -> {
            long primaryOffset = sentinel.status(old).offset();
            for (var g : sentinel.groups()) {
                if (!g.name().equals(group)) {
                    continue;
                }
                for (HostPort r : g.onlineReplicas()) {
                    SentinelGroups.DataNodeStatus rs = sentinel.status(r);
                    if (rs.linkUp() && !rs.syncing() && !rs.loading() && primaryOffset - rs.offset() <= MAX_FAILOVER_LAG_BYTES) {
                        return null;
                    }
                }
            }
            return "no online replica is in sync yet";
        });
        boolean noGoodReplica = false;
        for (int attempt = 1; ; attempt++) {
            if (noGoodReplica) {
                // Writers are not paused here: the Sentinels get time to read the replica's INFO again.
                Thread.sleep(NO_GOOD_REPLICA_PAUSE.toMillis());
            }
            // Sentinel's failover is not coordinated: the old primary would take writes until Sentinel demotes it (some
            // seconds after the switch), and lose them when it resyncs. Its writers wait instead, from before the
            // replica catches up to after the old primary follows the new one; they then get an error (READONLY or a
            // closed connection) and find the new primary through the Sentinels.
            update(job, status.step("pausing writes on " + old + ", waiting for a replica to match its offset"));
            sentinel.pauseWrites(old, PAUSE.toMillis());
            try {
                await("a replica of " + group + " to reach the offset of " + old, FAILOVER_ATTEMPT, () -> {
                    long primaryOffset = sentinel.status(old).offset();
                    for (var g : sentinel.groups()) {
                        for (HostPort r : g.name().equals(group) ? g.onlineReplicas() : List.<HostPort>of()) {
                            SentinelGroups.DataNodeStatus rs = sentinel.status(r);
                            if (rs.linkUp() && !rs.syncing() && rs.offset() >= primaryOffset) {
                                return null;
                            }
                        }
                    }
                    return "no replica has reached offset " + primaryOffset + " yet";
                });
                update(job, status.step("SENTINEL FAILOVER " + group + " away from " + old
                        + (attempt > 1 ? " (attempt " + attempt + ")" : "")));
                sentinel.failover(group);
                await("the Sentinels of " + group + " to name a new primary in place of " + old, PAUSE.minusSeconds(5), () -> {
                    Optional<HostPort> now = sentinel.primary(group);
                    if (now.isEmpty() || now.get().equals(old)) {
                        return "a majority of its Sentinels still name " + now.map(HostPort::toString).orElse("no primary");
                    }
                    SentinelGroups.DataNodeStatus ns = sentinel.status(now.get());
                    if (!ns.master() || ns.loading()) {
                        return now.get() + " does not say role:master yet";
                    }
                    return null;
                });
                // Sentinel demotes the old primary only after some seconds (its INFO period and a grace time);
                // the roll does it at once, still paused, so its writers get READONLY and move on.
                HostPort next = sentinel.primary(group).orElseThrow();
                sentinel.follow(old, next);
                await("the old primary " + old + " to follow " + next, FAILOVER_ATTEMPT, () -> {
                    SentinelGroups.DataNodeStatus os = sentinel.status(old);
                    return os.master() || os.masterAddress().filter(next::equals).isEmpty()
                            ? "it does not follow " + next + " yet" : null;
                });
                LOG.infof("roll: Sentinel group %s switched from %s", group, old);
            } catch (NodeRestartException e) {
                noGoodReplica = String.valueOf(e.getMessage()).contains("NOGOODSLAVE");
                int allowed = noGoodReplica ? NO_GOOD_REPLICA_ATTEMPTS : FAILOVER_ATTEMPTS;
                if (attempt >= allowed || sentinel.primary(group).filter(p -> !p.equals(old)).isPresent()) {
                    throw new NodeRestartException("Sentinel failover of " + group + " away from " + old
                            + " did not complete after " + attempt + " attempts: " + e.getMessage());
                }
                LOG.warnf("roll: %s; trying again", e.getMessage());
                continue;
            } finally {
                try {
                    sentinel.unpause(old);
                } catch (RedisException e) {
                    LOG.warnf("roll: CLIENT UNPAUSE on %s: %s (the pause ends by itself)", old, e.getMessage());
                }
            }
            update(job, status.step("waiting for " + old + " to be in sync with the new primary of " + group));
            await(old + " to be in sync with the new primary of " + group, nodeTimeout, () -> {
                SentinelGroups.DataNodeStatus os = sentinel.status(old);
                return !os.linkUp() || os.syncing() ? "its replication link is " + (os.linkUp() ? "syncing" : "down") : null;
            });
            return;
        }
    }

    /** Restarts a Sentinel group's node (a replica now) and waits until it is back, a replica in sync. */
    private HostPort restartSentinelNode(RollPlan.Step step, Job job) throws InterruptedException {
        HostPort address = HostPort.parse(step.address());
        SentinelGroups.DataNodeStatus before = sentinel.status(address);
        if (before.master()) {
            // Only a Sentinel failover may precede the restart of a primary: never take the group's writes down.
            throw new NodeRestartException(address + " is still the primary of " + step.group() + ": not restarting it");
        }
        update(job, status.step("restarting " + address + " (replica of " + step.group() + ") through the " + restarter.kind()));
        HostPort now;
        try {
            now = restarter.restart(address, nodeTimeout);
        } catch (NodeRestartException e) {
            throw new NodeRestartException("restart of " + address + " failed: " + e.getMessage(), e);
        }
        update(job, status.step("waiting for " + now + " to be back and in sync"));
        await(now + " (" + step.group() + ") to be back and in sync", nodeTimeout, () -> {
            SentinelGroups.DataNodeStatus st = sentinel.status(now);
            if (before.runId() != null && before.runId().equals(st.runId())) {
                return "it still runs the process from before the restart";
            }
            if (st.loading()) {
                return "it is loading its data";
            }
            if (st.master()) {
                return "it came back as a master";
            }
            if (!st.linkUp() || st.syncing()) {
                return "its replication link is " + (st.linkUp() ? "syncing" : "down");
            }
            return null;
        });
        return now;
    }

    /** Why the cluster is not whole (every node healthy, agreeing, {@code cluster_state:ok}); null when it is. */
    private static String clusterWhole(ClusterSnapshot s) {
        if (!"ok".equals(s.state())) {
            return "a node reports cluster_state:" + s.state();
        }
        if (!s.check().agree()) {
            return "the nodes do not agree on the slot map yet";
        }
        for (ClusterNode n : s.nodes()) {
            if (n.health() != Health.OK) {
                return n.addressText() + " is " + n.health().wire();
            }
        }
        return null;
    }

    private void update(Job job, RollStatus next) {
        status = next;
        job.result(next);
    }

    /**
     * Polls {@code unmet} (a reason, null when met) until it is met; a node that cannot be read counts as a reason.
     *
     * @throws NodeRestartException past the deadline, with the last reason
     */
    static void await(String what, Duration timeout, Supplier<String> unmet) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not checked yet";
        while (true) {
            try {
                last = unmet.get();
            } catch (RedisException e) {
                last = e.getMessage();
            }
            if (last == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new NodeRestartException("gave up after " + timeout.toSeconds() + " s waiting for " + what + ": " + last);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** A fresh snapshot, polled again for up to {@code settle} while it shows a cluster not yet whole. */
    static ClusterSnapshot settled(ClusterWatch watch, Duration settle) {
        long deadline = System.nanoTime() + settle.toNanos();
        ClusterSnapshot s = watch.refresh();
        while (clusterWhole(s) != null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            s = watch.refresh();
        }
        return s;
    }
}
