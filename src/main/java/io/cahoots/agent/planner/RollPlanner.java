package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;

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

    public static RollPlan plan(ClusterSnapshot s) {
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
                steps.add(new RollPlan.Step(0, RollPlan.Kind.RESTART_REPLICA, r.id(), r.addressText(), "replica", 0, null, null));
            }
            if (m.slotCount() == 0) {
                masterSteps.add(new RollPlan.Step(0, RollPlan.Kind.RESTART_REPLICA, m.id(), m.addressText(), "master", 0, null, null));
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
                    m.slotCount(), target.get().id(), target.get().addressText()));
        }
        if (!problems.isEmpty()) {
            throw new PlanningException("cannot roll: " + String.join("; ", problems));
        }
        steps.addAll(masterSteps);
        List<RollPlan.Step> numbered = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            RollPlan.Step st = steps.get(i);
            numbered.add(new RollPlan.Step(i + 1, st.kind(), st.nodeId(), st.address(), st.role(), st.slots(),
                    st.failoverToId(), st.failoverToAddress()));
        }
        return new RollPlan(s.version(), numbered);
    }

    private static boolean inSyncCandidate(ClusterNode r) {
        return r.health() == Health.OK && r.metrics().map(mt -> mt.masterLinkUp() && !mt.loading()).orElse(false);
    }
}
