package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.HostPort;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Orders a rolling restart of a cluster (pure: a function of the snapshot).
 *
 * <ol>
 *   <li>Refuse (a {@link PlanningException}) when a node has no address, or a master that serves slots has no
 *       healthy replica with its link up: restarting it would leave its slots unserved, which is what a roll must
 *       never do.</li>
 *   <li>Every replica first, grouped by master (masters in address order, replicas in address order): a replica's
 *       restart costs clients nothing, and each master then has replicas that are already restarted and synced.</li>
 *   <li>Then each master, in address order: fail over to its replica with the smallest replication lag (ties: lowest
 *       address), then restart it; it comes back as that replica's replica. Masters without slots (empty masters) are
 *       restarted without a failover, after the replicas.</li>
 * </ol>
 * Every node is restarted exactly once; each step starts only after the previous one ended (the executor's rule).
 */
public final class RollPlanner {

    private RollPlanner() {
    }

    /**
     * A Sentinel-managed group as the agent's Sentinel watcher sees it.
     *
     * @param primary        where a majority of its Sentinels say the primary is
     * @param onlineReplicas replicas whose link to the primary is up, sorted
     * @param offlineReplicas replicas known to the Sentinels but not online
     * @param quorumOk       {@code SENTINEL CKQUORUM} says OK: a failover can be authorised
     */
    public record SentinelGroup(String name, HostPort primary, List<HostPort> onlineReplicas,
                                List<HostPort> offlineReplicas, boolean quorumOk) {

        public SentinelGroup {
            onlineReplicas = onlineReplicas.stream().sorted().toList();
            offlineReplicas = offlineReplicas.stream().sorted().toList();
        }
    }

    public static RollPlan plan(ClusterSnapshot s) {
        return plan(s, List.of());
    }

    /**
     * The cluster's steps as above, then for each Sentinel group (by name): its online replicas one at a time (in
     * address order), then its primary after a {@code SENTINEL FAILOVER}. Refused when a group has a replica that is
     * not online, no online replica at all (the failover would have nothing to promote) or no Sentinel quorum.
     */
    public static RollPlan plan(ClusterSnapshot s, List<SentinelGroup> groups) {
        List<String> problems = new ArrayList<>();
        for (ClusterNode n : s.nodes()) {
            if (n.address().isEmpty()) {
                problems.add("node " + n.id() + " has no address");
            }
        }
        List<ClusterNode> masters = s.masters().stream()
                .sorted(Comparator.comparing(ClusterNode::addressText)).toList();
        List<RollPlan.Step> steps = new ArrayList<>();
        List<RollPlan.Step> masterSteps = new ArrayList<>();
        for (ClusterNode m : masters) {
            List<ClusterNode> replicas = s.replicasOf(m.id()).stream()
                    .sorted(Comparator.comparing(ClusterNode::addressText)).toList();
            for (ClusterNode r : replicas) {
                steps.add(new RollPlan.Step(0, RollPlan.Kind.RESTART_REPLICA, r.id(), r.addressText(), "replica", 0, null, null, null));
            }
            if (m.slotCount() == 0) {
                masterSteps.add(new RollPlan.Step(0, RollPlan.Kind.RESTART_REPLICA, m.id(), m.addressText(), "master", 0, null, null, null));
                continue;
            }
            Optional<ClusterNode> target = replicas.stream().filter(RollPlanner::inSyncCandidate)
                    .min(Comparator.comparingLong(ClusterNode::replicationLagBytes).thenComparing(ClusterNode::addressText));
            if (target.isEmpty()) {
                problems.add("master " + m.addressText() + " serves " + m.slotCount() + " slots and has no healthy replica"
                        + " with its link up to fail over to: add one first (POST /api/v1/cluster/nodes, role replica)");
                continue;
            }
            masterSteps.add(new RollPlan.Step(0, RollPlan.Kind.FAILOVER_THEN_RESTART, m.id(), m.addressText(), "master",
                    m.slotCount(), target.get().id(), target.get().addressText(), null));
        }
        steps.addAll(masterSteps);
        for (SentinelGroup g : groups.stream().sorted(Comparator.comparing(SentinelGroup::name)).toList()) {
            if (!g.offlineReplicas().isEmpty()) {
                problems.add("Sentinel group " + g.name() + " has replicas that are not online: " + g.offlineReplicas());
            }
            if (g.onlineReplicas().isEmpty()) {
                problems.add("Sentinel group " + g.name() + " has no online replica to fail over to");
                continue;
            }
            if (!g.quorumOk()) {
                problems.add("Sentinel group " + g.name() + " has no Sentinel quorum: a failover could not be authorised");
                continue;
            }
            for (HostPort r : g.onlineReplicas()) {
                steps.add(new RollPlan.Step(0, RollPlan.Kind.RESTART_SENTINEL_REPLICA, r.toString(), r.toString(),
                        "replica", 0, null, null, g.name()));
            }
            HostPort to = g.onlineReplicas().get(0);
            steps.add(new RollPlan.Step(0, RollPlan.Kind.SENTINEL_FAILOVER_THEN_RESTART, g.primary().toString(),
                    g.primary().toString(), "master", 0, to.toString(), to.toString(), g.name()));
        }
        if (!problems.isEmpty()) {
            throw new PlanningException("cannot roll: " + String.join("; ", problems));
        }
        List<RollPlan.Step> numbered = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            RollPlan.Step st = steps.get(i);
            numbered.add(new RollPlan.Step(i + 1, st.kind(), st.nodeId(), st.address(), st.role(), st.slots(),
                    st.failoverToId(), st.failoverToAddress(), st.group()));
        }
        return new RollPlan(s.version(), numbered);
    }

    private static boolean inSyncCandidate(ClusterNode r) {
        return r.health() == Health.OK && r.metrics().map(mt -> mt.masterLinkUp() && !mt.loading()).orElse(false);
    }
}
