package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.CheckReport;
import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;

import java.util.ArrayList;
import java.util.List;

/**
 * What must hold before any slot moves: every node reports {@code cluster_state:ok}, all agree on the slot
 * map, no slot is open, uncovered or claimed twice, and every master answers. Unreachable replicas do not block a rebalance.
 */
public final class Preflight {

    private Preflight() {
    }

    public static List<String> problems(ClusterSnapshot s) {
        List<String> problems = new ArrayList<>();
        CheckReport c = s.check();
        if (!"ok".equals(s.state())) {
            // A node that just joined reports fail for a few seconds; MIGRATE to it would answer CLUSTERDOWN.
            problems.add("a node reports cluster_state:" + s.state());
        }
        if (!c.agree()) {
            problems.add("nodes don't agree about the slot map");
        }
        if (!c.openSlots().isEmpty()) {
            problems.add(c.openSlotCount() + " slot(s) are open (migrating/importing): run POST /api/v1/cluster/fix first");
        }
        if (!c.uncoveredSlots().isEmpty()) {
            problems.add("some slots are not covered: " + c.uncoveredSlots());
        }
        if (!c.multiOwnedSlots().isEmpty()) {
            problems.add("some slots are claimed twice: " + c.multiOwnedSlots());
        }
        for (ClusterNode m : s.masters()) {
            if (m.health() != Health.OK && m.health() != Health.PFAIL) {
                problems.add("master " + m.id() + " (" + m.addressText() + ") is " + m.health().wire());
            }
        }
        return problems;
    }

    public static void require(ClusterSnapshot s) {
        List<String> problems = problems(s);
        if (!problems.isEmpty()) {
            throw new PreflightException(problems, s);
        }
    }
}
