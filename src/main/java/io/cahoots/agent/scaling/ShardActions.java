package io.cahoots.agent.scaling;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.RecentLatency;
import io.cahoots.agent.executor.Job;
import io.cahoots.agent.executor.JobConflictException;
import io.cahoots.agent.executor.JobState;
import io.cahoots.agent.executor.NodeService;
import io.cahoots.agent.executor.RebalanceService;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.planner.RebalanceOptions;
import io.cahoots.agent.scaling.shard.ShardSample;
import org.jboss.logging.Logger;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Carries a shard step out with the agent's own jobs, so each part shows in the job history and the one-job-at-a-time
 * rule holds. The nodes come from a spare-node pool ({@code AGENT_REDIS_SCALING_SPARE_NODES}): a pool node is free when
 * no node of the cluster has its address.
 *
 * <ol>
 *   <li>Scale-out: {@code add-node} a free spare as an empty master; {@code add-node} a second one as its replica
 *       (before any data, so it syncs an empty master); {@code rebalance} with empty masters used, so the new master
 *       takes its share of the slots.</li>
 *   <li>Scale-in: {@code remove-node} each replica of the master (forgotten everywhere, then reset and flushed), then
 *       {@code remove-node} the master: its slots drained over the others, then forgotten everywhere, then reset. Both
 *       are free again in the pool. Its replicas go first so that none is re-pointed to another master, which would
 *       copy that master's whole data set for nothing.</li>
 * </ol>
 * Each step blocks until its jobs end; a job that does not succeed fails the step with the job's error. The
 * StatefulSet source ({@link StatefulSetShards}) joins its two new pods with the same {@link #addShard}.
 */
public class ShardActions implements ShardNodeSource {

    private static final Logger LOG = Logger.getLogger(ShardActions.class);
    private static final long START_RETRY_MILLIS = 15_000;

    private final List<HostPort> pool;
    private final ClusterWatch watch;
    private final NodeService nodes;
    private final RebalanceService rebalance;

    public ShardActions(List<HostPort> pool, ClusterWatch watch, NodeService nodes, RebalanceService rebalance) {
        this.pool = List.copyOf(pool);
        this.watch = watch;
        this.nodes = nodes;
        this.rebalance = rebalance;
    }

    public List<HostPort> pool() {
        return pool;
    }

    /** Pool nodes no cluster node has the address of. */
    public static List<HostPort> free(List<HostPort> pool, ClusterSnapshot s) {
        return pool.stream().filter(a -> s.nodeAt(a).isEmpty()).toList();
    }

    @Override
    public String name() {
        return "spare-pool";
    }

    @Override
    public ShardSample sample(ClusterSnapshot s, RecentLatency recent, boolean jobRunning) {
        return ShardSample.of(s, recent, jobRunning, new HashSet<>(pool));
    }

    /** Which node source is used, for the status. */
    @Override
    public String describe(Optional<ClusterSnapshot> s) {
        String free = s.map(x -> free(pool, x).size() + " free of " + pool.size()).orElse(pool.size() + " configured");
        return "spare-node pool (AGENT_REDIS_SCALING_SPARE_NODES): " + free;
    }

    /** @return what was done, for the log */
    @Override
    public String scaleOut() {
        List<HostPort> free = free(pool, watch.refresh());
        if (free.size() < 2) {
            throw new IllegalStateException("the spare-node pool has " + free.size() + " free node(s); a shard needs 2"
                    + " (AGENT_REDIS_SCALING_SPARE_NODES)");
        }
        return addShard(watch, nodes, rebalance, free.get(0), free.get(1));
    }

    /**
     * {@code add-node} {@code master} as an empty master, {@code add-node} {@code replica} as its replica (before any
     * data, so it syncs an empty master), then {@code rebalance} with empty masters used.
     */
    static String addShard(ClusterWatch watch, NodeService nodes, RebalanceService rebalance, HostPort master, HostPort replica) {
        await(() -> nodes.add(master, NodeService.Role.MASTER, Optional.empty(), false));
        String masterId = watch.refresh().nodeAt(master).map(ClusterNode::id)
                .orElseThrow(() -> new IllegalStateException(master + " joined but is not in the cluster view"));
        await(() -> nodes.add(replica, NodeService.Role.REPLICA, Optional.of(masterId), false));
        Job r = await(() -> rebalance.start(RebalanceOptions.defaults(), false, OptionalLong.empty()));
        return "added " + master + " as a master with " + replica + " as its replica, then " + r.description();
    }

    /** @return what was done, for the log */
    @Override
    public String scaleIn(String masterId) {
        ClusterSnapshot s = watch.refresh();
        ClusterNode master = s.node(masterId).orElseThrow(() -> new IllegalStateException("master " + masterId + " is gone"));
        StringBuilder done = new StringBuilder();
        for (ClusterNode replica : s.replicasOf(masterId)) {
            await(() -> nodes.remove(replica.id()));
            done.append("removed replica ").append(replica.addressText()).append("; ");
        }
        Job drain = await(() -> nodes.remove(masterId));
        return done + drain.description() + "; released to the pool: "
                + (master.address().map(pool::contains).orElse(false) ? "yes" : "no (not a pool address)");
    }

    /** Starts a job (retrying while the previous one still holds the lease) and waits for its end. */
    static Job await(Supplier<Job> start) {
        long deadline = System.currentTimeMillis() + START_RETRY_MILLIS;
        Job job;
        while (true) {
            try {
                job = start.get();
                break;
            } catch (JobConflictException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                sleep(200);
            }
        }
        while (!job.state().isFinal()) {
            sleep(100);
        }
        if (job.state() != JobState.SUCCEEDED) {
            throw new IllegalStateException("job " + job.id() + " (" + job.type() + ") " + job.state()
                    + job.error().map(e -> ": " + e).orElse(""));
        }
        LOG.infof("shard step: job %s (%s) succeeded", job.id(), job.type());
        return job;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
