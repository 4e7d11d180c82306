package io.cahoots.agent.scaling;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.RecentLatency;
import io.cahoots.agent.executor.ClusterCommands;
import io.cahoots.agent.executor.JobManager;
import io.cahoots.agent.executor.NodeService;
import io.cahoots.agent.executor.RebalanceService;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.scaling.shard.ShardSample;
import io.cahoots.agent.scaling.shard.StatefulSetScaleIn;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;

/**
 * On Kubernetes the shard autoscaler's nodes are pods of the Redis StatefulSet: a step asks the pods supervisor for
 * two pods more or fewer through the {@code cahoots.io/redis-replicas} annotation ({@link StatefulSetPods}), so the
 * supervisor stays the one writer of {@code spec.replicas}.
 *
 * <ol>
 *   <li>Scale-out from {@code n} replicas: reserve ordinals {@code n} and {@code n+1} (the pods supervisor leaves them
 *       alone whatever {@code AGENT_KUBE_JOIN_AS} says), ask for {@code n+2}; the supervisor raises
 *       {@code spec.replicas}; once both pods answer, empty and knowing nobody, they join as ONE shard with the spare
 *       pool's jobs ({@link ShardActions#addShard}): the lower ordinal as a master, the other as its replica, then a
 *       rebalance. If the step fails, the request goes back to {@code n}: the supervisor drains whatever of the two
 *       had joined and lowers {@code spec.replicas} again.</li>
 *   <li>Scale-in from {@code n}: the StatefulSet removes ordinals {@code n-2} and {@code n-1}. {@link StatefulSetScaleIn}
 *       says which master's data that takes out (the decision's headroom was checked on it) and, when the two are not
 *       one master and one replica, which replica takes over first ({@code CLUSTER FAILOVER}, a {@code shard-failover}
 *       job), so that exactly one master leaves; the drained master's replicas that stay are re-pointed to the
 *       masters left with the fewest replicas ({@code shard-replicas} job, {@link StatefulSetScaleIn#repoints}). Then
 *       ask for {@code n-2}: the supervisor removes the replica, drains
 *       the master (its slots over the others, its other replicas re-pointed) and only then lowers
 *       {@code spec.replicas}. The step ends when it has, with one master fewer.</li>
 * </ol>
 * A step waits for the pods and the supervisor as long as something moves (a job runs, the pods or the cluster
 * change), and fails after {@link #STALL} without progress.
 */
public final class StatefulSetShards implements ShardNodeSource {

    private static final Logger LOG = Logger.getLogger(StatefulSetShards.class);
    /** A wait fails after this long without progress (pods scheduled, a job running, the cluster changing). */
    static final Duration STALL = Duration.ofMinutes(10);
    private static final Duration FAILOVER_ATTEMPT = Duration.ofSeconds(20);
    private static final int FAILOVER_ATTEMPTS = 3;
    private static final Duration REPOINT_WAIT = Duration.ofSeconds(60);

    private final StatefulSetPods pods;
    private final ClusterWatch watch;
    private final NodeService nodes;
    private final RebalanceService rebalance;
    private final JobManager jobs;
    private final ClusterCommands redis;

    public StatefulSetShards(StatefulSetPods pods, ClusterWatch watch, NodeService nodes, RebalanceService rebalance,
                             JobManager jobs, ClusterCommands redis) {
        this.pods = pods;
        this.watch = watch;
        this.nodes = nodes;
        this.rebalance = rebalance;
        this.jobs = jobs;
        this.redis = redis;
    }

    @Override
    public String name() {
        return "statefulset " + pods.view().map(StatefulSetPods.View::name).orElse("(not listed yet)");
    }

    @Override
    public String describe(Optional<ClusterSnapshot> s) {
        return pods.view().map(v -> "StatefulSet " + v.name() + " (" + v.specReplicas() + " replicas"
                        + (v.requested().isPresent() && v.requested().getAsInt() != v.specReplicas()
                        ? ", " + v.requested().getAsInt() + " requested" : "")
                        + "): two pods per shard step, asked for through the cahoots.io/redis-replicas annotation")
                .orElse("StatefulSet of the Redis pods: not listed yet");
    }

    @Override
    public Optional<String> unavailable() {
        return pods.view().isEmpty()
                ? Optional.of("the Redis pods supervisor has not listed the StatefulSet of the pods yet") : Optional.empty();
    }

    @Override
    public ShardSample sample(ClusterSnapshot s, RecentLatency recent, boolean jobRunning) {
        StatefulSetScaleIn.Plan plan = pods.view().map(v -> StatefulSetScaleIn.plan(s, members(v), v.specReplicas()))
                .orElseGet(() -> new StatefulSetScaleIn.Plan(Optional.empty(), Optional.empty(), "", "",
                        Optional.of("the StatefulSet of the pods is not listed yet")));
        return ShardSample.of(s, recent, jobRunning, Set.of(), Optional.of(ShardSample.DrainTarget.of(plan)));
    }

    static List<StatefulSetScaleIn.Member> members(StatefulSetPods.View v) {
        return v.pods().stream().filter(p -> p.nodeId().isPresent())
                .map(p -> new StatefulSetScaleIn.Member(p.nodeId().get(), p.name(), p.ordinal())).toList();
    }

    @Override
    public String scaleOut() {
        StatefulSetPods.View v = settled();
        int n = v.specReplicas();
        pods.reserve(Set.of(n, n + 1), "the shard autoscaler's step joins them as one shard");
        boolean done = false;
        try {
            pods.request(n + 2, "the shard autoscaler asks for one shard more (two pods)");
            HostPort master = newPod(n);
            HostPort replica = newPod(n + 1);
            String added = ShardActions.addShard(watch, nodes, rebalance, master, replica);
            done = true;
            return "StatefulSet " + v.name() + " " + n + " -> " + (n + 2) + " replicas; " + v.name() + "-" + n + " and "
                    + v.name() + "-" + (n + 1) + ": " + added;
        } finally {
            if (!done) {
                putBack(v.name(), n);
            }
            pods.release();
        }
    }

    /** A failed scale-out: ask for the count before it, and keep the reservation until the supervisor has seen that. */
    private void putBack(String set, int n) {
        try {
            pods.request(n, "the shard autoscaler's scale-out failed: back to " + n
                    + " (whatever of the two pods had joined is drained first)");
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline
                    && !pods.view().map(x -> x.requested().equals(OptionalInt.of(n))).orElse(false)) {
                ShardActions.sleep(250);
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not put the request of %s back to %d: %s", set, n, e.getMessage());
        }
    }

    /** Waits for the pod of this ordinal to answer as an empty, cluster-enabled node that knows nobody. */
    private HostPort newPod(int ordinal) {
        String[] state = {"not created yet"};
        return until("pod of ordinal " + ordinal + " to come up empty", state, () -> {
            Optional<StatefulSetPods.Pod> pod = pods.view().flatMap(v -> v.pod(ordinal));
            if (pod.isEmpty() || pod.get().address().isEmpty()) {
                state[0] = pod.isEmpty() ? "not created yet" : pod.get().name() + " has no IP yet";
                return Optional.empty();
            }
            HostPort a = pod.get().address().get();
            try {
                ClusterCommands.Probe p = redis.probe(a);
                if (!p.clusterEnabled() || p.keys() > 0 || p.knownNodes() > 1) {
                    state[0] = pod.get().name() + " (" + a + ") is not an empty cluster node that knows nobody";
                    return Optional.empty();
                }
                return Optional.of(a);
            } catch (RuntimeException e) {
                state[0] = pod.get().name() + " (" + a + ") does not answer yet";
                return Optional.empty();
            }
        });
    }

    @Override
    public String scaleIn(String masterId) {
        StatefulSetPods.View v = settled();
        int n = v.specReplicas();
        ClusterSnapshot s = watch.refresh();
        StatefulSetScaleIn.Plan plan = StatefulSetScaleIn.plan(s, members(v), n);
        if (plan.refused().isPresent()) {
            throw new IllegalStateException(plan.refused().get());
        }
        if (!plan.drain().get().equals(masterId)) {
            throw new IllegalStateException("the shard the StatefulSet's highest ordinals take out changed since the decision: "
                    + "now " + plan.label());
        }
        int masters = s.masters().size();
        String prepared = "";
        if (plan.failover().isPresent()) {
            prepared = failover(plan.failover().get()) + "; ";
            s = watch.refresh();
        }
        // Now exactly one leaving pod is a master: it is drained. Its replicas that stay go where replicas leave.
        List<String> leaving = members(v).stream().filter(m -> m.ordinal() >= n - 2).map(StatefulSetScaleIn.Member::nodeId).toList();
        StatefulSetScaleIn.Plan ready = StatefulSetScaleIn.plan(s, members(v), n);
        if (ready.refused().isPresent() || ready.failover().isPresent()) {
            throw new IllegalStateException("after the failover the leaving pods are still not one shard: "
                    + ready.refused().orElse(ready.note()));
        }
        List<StatefulSetScaleIn.Repoint> moves = StatefulSetScaleIn.repoints(s, leaving, ready.drain().get());
        if (!moves.isEmpty()) {
            prepared += repoint(moves) + "; ";
        }
        pods.request(n - 2, "the shard autoscaler asks for one shard fewer: " + plan.note());
        String[] state = {""};
        until("the StatefulSet to be drained to " + (n - 2) + " replicas with " + (masters - 1) + " masters", state, () -> {
            ClusterSnapshot now = watch.refresh();
            int spec = pods.view().map(StatefulSetPods.View::specReplicas).orElse(-1);
            state[0] = "spec.replicas " + spec + ", " + now.masters().size() + " masters, cluster " + now.state();
            return spec == n - 2 && now.masters().size() == masters - 1 && "ok".equals(now.state())
                    ? Optional.of(Boolean.TRUE) : Optional.empty();
        });
        return prepared + "StatefulSet " + v.name() + " " + n + " -> " + (n - 2) + " replicas after the pods supervisor"
                + " drained " + plan.label() + " (" + plan.note() + ")";
    }

    /** The replica takes over its master (coordinated {@code CLUSTER FAILOVER}) in a job; returns what was done. */
    private String failover(String replicaId) {
        ClusterNode replica = watch.refresh().node(replicaId)
                .orElseThrow(() -> new IllegalStateException("replica " + replicaId + " is gone"));
        String masterId = replica.masterId().orElseThrow(() -> new IllegalStateException(replica.addressText() + " is no replica"));
        HostPort r = replica.address().orElseThrow();
        ShardActions.await(() -> jobs.start("shard-failover", "CLUSTER FAILOVER on " + r + " before a StatefulSet scale-in",
                job -> {
                    for (int attempt = 1; ; attempt++) {
                        redis.failover(r);
                        long deadline = System.currentTimeMillis() + FAILOVER_ATTEMPT.toMillis();
                        while (System.currentTimeMillis() < deadline) {
                            if (takenOver(replicaId, masterId)) {
                                return;
                            }
                            Thread.sleep(200);
                        }
                        if (attempt == FAILOVER_ATTEMPTS) {
                            throw new IllegalStateException(r + " did not take over from its master in " + FAILOVER_ATTEMPTS
                                    + " attempts");
                        }
                    }
                }));
        return r + " took over from its master (CLUSTER FAILOVER)";
    }

    /** {@code CLUSTER REPLICATE} for each move, in a job; returns what was done. */
    private String repoint(List<StatefulSetScaleIn.Repoint> moves) {
        ClusterSnapshot s = watch.refresh();
        List<String> done = new ArrayList<>();
        for (StatefulSetScaleIn.Repoint m : moves) {
            done.add(s.node(m.replicaId()).map(ClusterNode::addressText).orElse(m.replicaId()) + " now replicates "
                    + s.node(m.masterId()).map(ClusterNode::addressText).orElse(m.masterId()));
        }
        ShardActions.await(() -> jobs.start("shard-replicas", "re-point the replicas of the master a StatefulSet scale-in"
                + " drains: " + String.join(", ", done), job -> {
                    for (StatefulSetScaleIn.Repoint m : moves) {
                        HostPort a = watch.refresh().node(m.replicaId()).flatMap(ClusterNode::address)
                                .orElseThrow(() -> new IllegalStateException("replica " + m.replicaId() + " has no address"));
                        redis.replicate(a, m.masterId());
                        long deadline = System.currentTimeMillis() + REPOINT_WAIT.toMillis();
                        while (watch.refresh().node(m.replicaId()).flatMap(ClusterNode::masterId).filter(m.masterId()::equals).isEmpty()) {
                            if (System.currentTimeMillis() > deadline) {
                                throw new IllegalStateException(a + " does not follow " + m.masterId() + " after "
                                        + REPOINT_WAIT.toSeconds() + " s");
                            }
                            Thread.sleep(200);
                        }
                    }
                }));
        return String.join(", ", done);
    }

    private boolean takenOver(String replicaId, String masterId) {
        ClusterSnapshot s = watch.refresh();
        return s.node(replicaId).filter(ClusterNode::isMaster).isPresent()
                && s.node(masterId).flatMap(ClusterNode::masterId).filter(replicaId::equals).isPresent()
                && "ok".equals(s.state());
    }

    /** The StatefulSet with no change under way: its request (if any) is its {@code spec.replicas}. */
    private StatefulSetPods.View settled() {
        StatefulSetPods.View v = pods.view().orElseThrow(() -> new IllegalStateException(
                "the StatefulSet of the Redis pods is not listed yet"));
        if (v.requested().isPresent() && v.requested().getAsInt() != v.specReplicas()) {
            throw new IllegalStateException("a change of StatefulSet " + v.name() + " is under way (cahoots.io/redis-replicas="
                    + v.requested().getAsInt() + ", spec.replicas=" + v.specReplicas() + ")");
        }
        return v;
    }

    /**
     * Polls {@code check} until it gives a value; fails after {@link #STALL} without progress: progress is a job
     * running, or {@code state} (what the check last saw) changing.
     */
    private <T> T until(String what, String[] state, Supplier<Optional<T>> check) {
        long lastProgress = System.currentTimeMillis();
        String seen = null;
        while (true) {
            Optional<T> v = check.get();
            if (v.isPresent()) {
                return v.get();
            }
            if (jobs.running().isPresent() || !state[0].equals(seen)) {
                lastProgress = System.currentTimeMillis();
                seen = state[0];
            } else if (System.currentTimeMillis() - lastProgress > STALL.toMillis()) {
                throw new IllegalStateException("gave up waiting for " + what + ": nothing moved for " + STALL.toMinutes()
                        + " min (" + state[0] + ")");
            }
            ShardActions.sleep(500);
        }
    }
}
