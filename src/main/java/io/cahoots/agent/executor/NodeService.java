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
        String newId = admissible(s, address);
        ClusterNode seed = s.masters().stream().filter(m -> m.address().isPresent() && m.metrics().isPresent())
                .findFirst().orElseThrow(() -> new NodeRefusedException("no master of the cluster answers"));
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

    /** Step (1) of an add: the new node's id, or a refusal saying why it cannot join. */
    private String admissible(ClusterSnapshot s, HostPort address) {
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
        return probe.id();
    }

    /**
     * Several empty masters in one job (a scale-out, e.g. 3 -> 6): every address is checked before anything happens;
     * all {@code CLUSTER MEET} at once and the job waits until every node knows all of them; then, with
     * {@code thenRebalance}, ONE slot balance onto them, whose moves between disjoint pairs run in parallel.
     */
    public Job addMasters(List<HostPort> addresses, boolean thenRebalance) {
        jobs.requireIdle();
        if (addresses.isEmpty()) {
            throw new BadRequestException("addresses is empty");
        }
        if (addresses.stream().distinct().count() != addresses.size()) {
            throw new BadRequestException("addresses lists a node twice");
        }
        ClusterSnapshot s = watch.refresh();
        List<String> newIds = new ArrayList<>();
        for (HostPort a : addresses) {
            newIds.add(admissible(s, a));
        }
        ClusterNode seed = s.masters().stream().filter(m -> m.address().isPresent() && m.metrics().isPresent())
                .findFirst().orElseThrow(() -> new NodeRefusedException("no master of the cluster answers"));
        return jobs.start("add-nodes", "add " + addresses.size() + " masters " + addresses
                + (thenRebalance ? ", then one rebalance" : ""), job -> {
            addresses.parallelStream().forEach(a -> redis.meet(a, seed.address().get(), seed.busPort()));
            awaitCondition("every node to know " + addresses, () -> newIds.stream().allMatch(this::knownByAllNodes)
                    && clusterOk(newIds));
            if (thenRebalance) {
                ClusterSnapshot now = rebalance.settled();
                Preflight.require(now);
                Plan plan = RebalancePlanner.plan(now, RebalanceOptions.defaults(), Optional.empty());
                job.plan(plan.slotsToMove(), -1);
                job.result(plan);
                rebalance.execute(plan, false, job);
            }
        });
    }

    /**
     * Several nodes in one job (a scale-in, e.g. 6 -> 3). Refused before anything moves when an id is unknown or
     * listed twice, when no master with slots would remain, or when the remaining masters lack the memory for the
     * leaving masters' data. Then: (1) ONE drain plan of every leaving master over the remaining ones, its moves
     * between disjoint pairs in parallel; (2) the replicas of leaving masters that are not leaving themselves are
     * re-pointed to remaining masters; (3)-(7) as for one node, for all of them: every node told, {@code CLUSTER
     * FORGET} everywhere, {@link #RESET_GRACE}, {@code CLUSTER RESET HARD}.
     */
    public Job removeMany(List<String> ids) {
        jobs.requireIdle();
        if (ids.isEmpty()) {
            throw new BadRequestException("ids is empty");
        }
        if (ids.stream().distinct().count() != ids.size()) {
            throw new BadRequestException("ids lists a node twice");
        }
        ClusterSnapshot s = watch.refresh();
        List<ClusterNode> leaving = new ArrayList<>();
        for (String id : ids) {
            leaving.add(s.node(id).orElseThrow(() -> new UnknownNodeException(id)));
        }
        List<String> drained = leaving.stream().filter(n -> n.isMaster() && n.slotCount() > 0).map(ClusterNode::id).toList();
        List<String> masters = leaving.stream().filter(ClusterNode::isMaster).map(ClusterNode::id).toList();
        if (s.masters().stream().allMatch(m -> ids.contains(m.id()))) {
            throw new NodeRefusedException("cannot remove every master: at least one must remain");
        }
        if (!drained.isEmpty()) {
            Preflight.require(s);
            memoryHeadroom(s, drained).ifPresent(reason -> {
                throw new NodeRefusedException(reason);
            });
        }
        return jobs.start("remove-nodes", "remove " + leaving.size() + " nodes " + leaving.stream()
                .map(ClusterNode::addressText).toList() + " (" + drained.size() + " masters with slots)", job -> {
            if (!drained.isEmpty()) {
                ClusterSnapshot now = rebalance.settled();
                Plan drain = RebalancePlanner.plan(now, RebalanceOptions.drain(drained), Optional.empty());
                job.plan(drain.slotsToMove(), -1);
                job.result(drain);
                rebalance.execute(drain, false, job);
            }
            for (String id : masters) {
                repointReplicas(id, ids);
            }
            for (ClusterNode n : leaving) {
                if (n.isMaster()) {
                    awaitCondition("every node to see " + n.addressText() + " without slots", () -> withoutSlotsEverywhere(n.id()));
                }
            }
            for (String id : ids) {
                forgetEverywhere(id, ids);
            }
            if (!drained.isEmpty()) {
                pause(RESET_GRACE);
            }
            leaving.parallelStream().forEach(n -> n.address().ifPresent(a -> {
                try {
                    redis.resetHard(a);
                } catch (RedisException e) {
                    LOG.warnf("could not reset %s (it may be down): %s", a, e.getMessage());
                }
            }));
            awaitCondition("every node to forget " + ids, () -> {
                ClusterSnapshot now = watch.refresh();
                return ids.stream().allMatch(id -> now.node(id).isEmpty());
            });
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
        return memoryHeadroom(s, List.of(leaving.id()));
    }

    /** The same for several leaving masters at once. */
    static Optional<String> memoryHeadroom(ClusterSnapshot s, List<String> leavingIds) {
        List<ClusterNode> leavingNodes = leavingIds.stream().map(id -> s.node(id).orElseThrow()).toList();
        long needed = leavingNodes.stream().mapToLong(n -> n.metrics().map(m -> m.usedMemoryBytes()).orElse(0L)).sum();
        long free = 0;
        for (ClusterNode m : s.masters()) {
            if (leavingIds.contains(m.id()) || m.metrics().isEmpty()) {
                continue;
            }
            long max = m.metrics().get().maxMemoryBytes();
            if (max == 0) {
                return Optional.empty(); // no limit on at least one master
            }
            free += Math.max(0, max - m.metrics().get().usedMemoryBytes());
        }
        return needed <= free ? Optional.empty() : Optional.of("not enough memory headroom: "
                + String.join(", ", leavingNodes.stream().map(ClusterNode::addressText).toList())
                + (leavingNodes.size() == 1 ? " uses " : " use ") + needed
                + " bytes, the remaining masters have " + free + " bytes free under maxmemory");
    }

    private void repointReplicas(String id) {
        repointReplicas(id, List.of(id));
    }

    /** Re-points the replicas of {@code id} that are not leaving themselves to masters that are not leaving. */
    private void repointReplicas(String id, List<String> leaving) {
        ClusterSnapshot s = watch.refresh();
        for (ClusterNode replica : s.replicasOf(id)) {
            if (leaving.contains(replica.id())) {
                continue;
            }
            ClusterNode target = fewestReplicas(s, leaving);
            replica.address().ifPresent(a -> redis.replicate(a, target.id()));
            s = watch.refresh();
        }
        awaitCondition("the replicas of " + id + " to follow other masters", () -> watch.refresh().replicasOf(id).stream()
                .allMatch(r -> leaving.contains(r.id())));
    }

    private void forgetEverywhere(String id) {
        forgetEverywhere(id, List.of(id));
    }

    /** {@code CLUSTER FORGET id} on every node that stays. */
    private void forgetEverywhere(String id, List<String> leaving) {
        List<ClusterNode> others = new ArrayList<>(watch.refresh().nodes());
        others.removeIf(n -> leaving.contains(n.id()) || n.address().isEmpty() || n.metrics().isEmpty());
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
        return knownByAllNodes(newId) && clusterOk(List.of(newId));
    }

    private boolean clusterOk(List<String> newIds) {
        ClusterSnapshot s = watch.refresh();
        return newIds.stream().allMatch(id -> s.node(id).isPresent()) && "ok".equals(s.state());
    }

    /** Every node's own view lists {@code newId}, past the handshake. */
    private boolean knownByAllNodes(String newId) {
        for (ClusterNode n : watch.refresh().nodes()) {
            if (n.address().isEmpty() || n.metrics().isEmpty()) {
                continue;
            }
            List<NodeEntry> view = redis.clusterNodes(n.address().get());
            if (view.stream().noneMatch(e -> e.id().equals(newId) && !e.flags().contains(io.cahoots.agent.cluster.NodeFlag.HANDSHAKE))) {
                return false;
            }
        }
        return true;
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
