package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.planner.Plan;
import io.cahoots.agent.planner.RebalanceOptions;
import io.cahoots.agent.planner.RebalancePlanner;
import io.cahoots.agent.redis.RedisException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Adding and removing cluster nodes as jobs.
 *
 * <p>Add: (1) refuse a node that is unreachable, not cluster-enabled, holds keys, knows other nodes or is
 * a member already; (2) {@code CLUSTER MEET} from the new node to a master, with that master's bus port;
 * (3) wait until every node lists it and the cluster reports ok; (4) a replica then replicates the named
 * master, or the master with the fewest replicas; (5) a master with {@code rebalance} takes its share.
 *
 * <p>Remove: (1) refuse an unknown id, the last master, or a master whose data the others have no memory
 * for; (2) drain its slots over every remaining master; (3) re-point its replicas to the masters with the
 * fewest replicas; (4) for a drained master, wait until every node's own view shows it without slots (every node
 * told); (5) {@code CLUSTER FORGET} on every other node at once, well inside the 60 s ban; (6) for a drained master,
 * {@link #RESET_GRACE} more: until it is reset, a client whose slot map still names it gets {@code MOVED} from it
 * and refreshes its map, whereas a reset node answers {@code CLUSTERDOWN} (seen by a writer in ShardScalingIT);
 * (7) {@code CLUSTER RESET HARD} on the removed node so it can be used again.
 */
@ApplicationScoped
public class NodeService {

    private static final Logger LOG = Logger.getLogger(NodeService.class);
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);
    /** How long a drained master keeps redirecting stale clients before it is reset; well inside the 60 s ban. */
    static final Duration RESET_GRACE = Duration.ofSeconds(5);

    public enum Role { MASTER, REPLICA }

    private final ClusterWatch watch;
    private final JobManager jobs;
    private final ClusterCommands redis;
    private final RebalanceService rebalance;

    public NodeService(ClusterWatch watch, JobManager jobs, ClusterCommands redis, RebalanceService rebalance) {
        this.watch = watch;
        this.jobs = jobs;
        this.redis = redis;
        this.rebalance = rebalance;
    }

    public Job add(HostPort address, Role role, Optional<String> masterId, boolean thenRebalance) {
        jobs.requireIdle();
        ClusterSnapshot s = watch.refresh();
        if (masterId.isPresent() && s.node(masterId.get()).filter(ClusterNode::isMaster).isEmpty()) {
            throw new BadRequestException("masterId " + masterId.get() + " is not a master of this cluster");
        }
        ClusterCommands.Probe probe;
        try {
            probe = redis.probe(address);
        } catch (RedisException e) {
            throw new NodeRefusedException(address + " cannot be reached: " + e.getMessage());
        }
        if (!probe.clusterEnabled()) {
            throw new NodeRefusedException(address + " is not cluster-enabled (start it with cluster-enabled yes)");
        }
        if (s.node(probe.id()).isPresent()) {
            throw new NodeRefusedException(address + " (" + probe.id() + ") is already a member of this cluster");
        }
        if (probe.keys() > 0) {
            throw new NodeRefusedException(address + " is not empty: it holds " + probe.keys() + " keys; flush it first");
        }
        if (probe.knownNodes() > 1) {
            throw new NodeRefusedException(address + " already knows " + (probe.knownNodes() - 1)
                    + " other node(s): it belongs to another cluster (CLUSTER RESET it first)");
        }
        ClusterNode seed = s.masters().stream().filter(m -> m.address().isPresent() && m.metrics().isPresent())
                .findFirst().orElseThrow(() -> new NodeRefusedException("no master of the cluster answers"));
        String newId = probe.id();
        return jobs.start("add-node", "add " + address + " as " + role.name().toLowerCase(), job -> {
            redis.meet(address, seed.address().get(), seed.busPort());
            awaitCondition("every node to know " + address, () -> knownByAll(newId));
            if (role == Role.REPLICA) {
                String master = masterId.orElseGet(() -> fewestReplicas(watch.refresh(), List.of(newId)).id());
                redis.replicate(address, master);
                awaitCondition(address + " to replicate " + master, () -> watch.refresh().node(newId)
                        .filter(n -> n.masterId().filter(master::equals).isPresent()
                                && n.metrics().map(m -> m.masterLinkUp()).orElse(false)).isPresent());
            } else if (thenRebalance) {
                ClusterSnapshot now = rebalance.settled();
                Preflight.require(now);
                Plan plan = RebalancePlanner.plan(now, new RebalanceOptions(java.util.Map.of(),
                        io.cahoots.agent.planner.RebalanceOptions.DEFAULT_THRESHOLD_PERCENT, true), Optional.empty());
                job.plan(plan.slotsToMove(), -1);
                job.result(plan);
                rebalance.execute(plan, false, job);
            }
        });
    }

    public Job remove(String id) {
        jobs.requireIdle();
        ClusterSnapshot s = watch.refresh();
        ClusterNode node = s.node(id).orElseThrow(() -> new UnknownNodeException(id));
        if (node.isMaster() && s.masters().size() == 1) {
            throw new NodeRefusedException("cannot remove the last master");
        }
        if (node.isMaster() && node.slotCount() > 0) {
            Preflight.require(s);
            memoryHeadroom(s, node).ifPresent(reason -> {
                throw new NodeRefusedException(reason);
            });
        }
        return jobs.start("remove-node", "remove " + node.addressText() + " (" + node.role().wire() + ", "
                + node.slotCount() + " slots)", job -> {
            if (node.isMaster() && node.slotCount() > 0) {
                ClusterSnapshot now = rebalance.settled();
                Plan drain = RebalancePlanner.plan(now, RebalanceOptions.drain(List.of(id)), Optional.empty());
                job.plan(drain.slotsToMove(), -1);
                job.result(drain);
                rebalance.execute(drain, false, job);
            }
            if (node.isMaster()) {
                repointReplicas(id);
                awaitCondition("every node to see " + node.addressText() + " without slots", () -> withoutSlotsEverywhere(id));
            }
            forgetEverywhere(id);
            if (node.isMaster() && node.slotCount() > 0) {
                pause(RESET_GRACE);
            }
            node.address().ifPresent(a -> {
                try {
                    redis.resetHard(a);
                } catch (RedisException e) {
                    LOG.warnf("could not reset %s (it may be down): %s", a, e.getMessage());
                }
            });
            awaitCondition("every node to forget " + id, () -> watch.refresh().node(id).isEmpty());
        });
    }

    /** Why the other masters cannot take the node's data, when they cannot. */
    static Optional<String> memoryHeadroom(ClusterSnapshot s, ClusterNode leaving) {
        long needed = leaving.metrics().map(m -> m.usedMemoryBytes()).orElse(0L);
        long free = 0;
        for (ClusterNode m : s.masters()) {
            if (m.id().equals(leaving.id()) || m.metrics().isEmpty()) {
                continue;
            }
            long max = m.metrics().get().maxMemoryBytes();
            if (max == 0) {
                return Optional.empty(); // no limit on at least one master
            }
            free += Math.max(0, max - m.metrics().get().usedMemoryBytes());
        }
        return needed <= free ? Optional.empty() : Optional.of("not enough memory headroom: " + leaving.addressText()
                + " uses " + needed + " bytes, the remaining masters have " + free + " bytes free under maxmemory");
    }

    private void repointReplicas(String id) {
        ClusterSnapshot s = watch.refresh();
        for (ClusterNode replica : s.replicasOf(id)) {
            ClusterNode target = fewestReplicas(s, List.of(id));
            replica.address().ifPresent(a -> redis.replicate(a, target.id()));
            s = watch.refresh();
        }
        awaitCondition("the replicas of " + id + " to follow other masters", () -> watch.refresh().replicasOf(id).isEmpty());
    }

    private void forgetEverywhere(String id) {
        List<ClusterNode> others = new ArrayList<>(watch.refresh().nodes());
        others.removeIf(n -> n.id().equals(id) || n.address().isEmpty() || n.metrics().isEmpty());
        others.parallelStream().forEach(n -> redis.forget(n.address().get(), id)
                .ifPresent(err -> LOG.warnf("CLUSTER FORGET on %s: %s", n.addressText(), err)));
    }

    private boolean withoutSlotsEverywhere(String id) {
        for (ClusterNode n : watch.refresh().nodes()) {
            if (n.id().equals(id) || n.address().isEmpty() || n.metrics().isEmpty()) {
                continue;
            }
            if (redis.clusterNodes(n.address().get()).stream().anyMatch(e -> e.id().equals(id) && !e.slots().isEmpty())) {
                return false;
            }
        }
        return true;
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobCancelledException("interrupted while waiting before the reset");
        }
    }

    private boolean knownByAll(String newId) {
        for (ClusterNode n : watch.refresh().nodes()) {
            if (n.address().isEmpty() || n.metrics().isEmpty()) {
                continue;
            }
            List<NodeEntry> view = redis.clusterNodes(n.address().get());
            if (view.stream().noneMatch(e -> e.id().equals(newId) && !e.flags().contains(io.cahoots.agent.cluster.NodeFlag.HANDSHAKE))) {
                return false;
            }
        }
        ClusterSnapshot s = watch.refresh();
        return s.node(newId).isPresent() && "ok".equals(s.state());
    }

    /** The master with slots and the fewest replicas (ties: lowest id), leaving out {@code excluded}. */
    static ClusterNode fewestReplicas(ClusterSnapshot s, List<String> excluded) {
        return s.masters().stream().filter(m -> !excluded.contains(m.id()) && m.metrics().isPresent() && m.slotCount() > 0)
                .min(Comparator.comparingInt((ClusterNode m) -> s.replicasOf(m.id()).size()).thenComparing(ClusterNode::id))
                .orElseThrow(() -> new MigrationException("no master to attach a replica to"));
    }

    private static void awaitCondition(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new MigrationException("gave up waiting " + JOIN_TIMEOUT.toSeconds() + " s for " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JobCancelledException("interrupted while waiting for " + what);
            }
        }
    }
}
