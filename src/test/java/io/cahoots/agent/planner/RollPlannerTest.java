package io.cahoots.agent.planner;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.SnapshotAssembler;
import io.cahoots.agent.cluster.Topologies;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RollPlannerTest {

    private static ClusterSnapshot snapshot(Topologies t) {
        return SnapshotAssembler.assemble(Optional.empty(), t.observations(), Instant.EPOCH, Duration.ZERO);
    }

    @Test
    void replicasFirstThenEachMasterAfterAFailoverToItsReplica() {
        ClusterSnapshot s = snapshot(Topologies.threeMastersThreeReplicas());
        RollPlan plan = RollPlanner.plan(s);

        assertThat(plan.nodes()).isEqualTo(6);
        assertThat(plan.steps()).extracting(RollPlan.Step::index).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(plan.steps().subList(0, 3)).allMatch(st -> st.kind() == RollPlan.Kind.RESTART_REPLICA && st.role().equals("replica"));
        assertThat(plan.steps().subList(3, 6)).allMatch(st -> st.kind() == RollPlan.Kind.FAILOVER_THEN_RESTART);
        for (RollPlan.Step st : plan.steps().subList(3, 6)) {
            ClusterNode replica = s.node(st.failoverToId()).orElseThrow();
            assertThat(replica.masterId()).contains(st.nodeId());
            assertThat(st.failoverToAddress()).isEqualTo(replica.addressText());
            assertThat(st.slots()).isPositive();
        }
        assertThat(plan.snapshotVersion()).isEqualTo(s.version());
    }

    @Test
    void anEmptyMasterIsRestartedWithoutAFailover() {
        ClusterSnapshot s = snapshot(Topologies.threeMastersOneEmpty());
        // Three masters with slots and no replica: refused, naming each.
        assertThatThrownBy(() -> RollPlanner.plan(s)).isInstanceOf(PlanningException.class)
                .hasMessageContaining("has no healthy replica").hasMessageContaining("127.0.0.1:30000");
    }

    @Test
    void aMasterWhoseOnlyReplicaIsDownIsRefused() {
        ClusterSnapshot s = snapshot(Topologies.threeMastersThreeReplicas().failed(4));
        assertThatThrownBy(() -> RollPlanner.plan(s)).isInstanceOf(PlanningException.class)
                .hasMessageContaining("127.0.0.1:30001 serves");
    }

    /** Seeded random shapes: every node exactly once, replicas before masters, each failover to a replica of that master. */
    @Test
    void randomTopologiesRestartEveryNodeOnceAndNeverAMasterWithoutAFailover() {
        Random random = new Random(13);
        for (int i = 0; i < 200; i++) {
            int masters = 1 + random.nextInt(12);
            int replicas = 1 + random.nextInt(3);
            ClusterSnapshot s = snapshot(Topologies.evenly(masters, replicas));
            RollPlan plan = RollPlanner.plan(s);

            Set<String> seen = new HashSet<>();
            plan.steps().forEach(st -> assertThat(seen.add(st.nodeId())).as("restarted twice: %s", st).isTrue());
            assertThat(seen).hasSize(s.nodes().size());
            List<RollPlan.Step> steps = plan.steps();
            int firstMaster = steps.indexOf(steps.stream().filter(st -> st.role().equals("master")).findFirst().orElseThrow());
            assertThat(steps.subList(firstMaster, steps.size())).allMatch(st -> st.role().equals("master"));
            assertThat(firstMaster).isEqualTo(masters * replicas);
            for (RollPlan.Step st : steps) {
                ClusterNode n = s.node(st.nodeId()).orElseThrow();
                if (n.isMaster() && n.slotCount() > 0) {
                    assertThat(st.kind()).isEqualTo(RollPlan.Kind.FAILOVER_THEN_RESTART);
                    assertThat(s.node(st.failoverToId()).orElseThrow().masterId()).contains(n.id());
                } else {
                    assertThat(st.kind()).isEqualTo(RollPlan.Kind.RESTART_REPLICA);
                }
            }
        }
    }

    private static final RollPlanner.SentinelGroup CACHE = new RollPlanner.SentinelGroup("cache",
            HostPort.parse("127.0.0.1:26001"), List.of(HostPort.parse("127.0.0.1:26003"), HostPort.parse("127.0.0.1:26002")),
            List.of(), true);

    @Test
    void aSentinelGroupRollsAfterTheClusterReplicasThenThePrimaryAfterASentinelFailover() {
        ClusterSnapshot s = snapshot(Topologies.threeMastersThreeReplicas());
        RollPlan plan = RollPlanner.plan(s, List.of(CACHE));

        assertThat(plan.nodes()).isEqualTo(9);
        assertThat(plan.steps().subList(0, 6)).noneMatch(RollPlan.Step::sentinel);
        assertThat(plan.steps().subList(6, 9)).extracting(RollPlan.Step::index, RollPlan.Step::kind, RollPlan.Step::address,
                        RollPlan.Step::group)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(7, RollPlan.Kind.RESTART_SENTINEL_REPLICA, "127.0.0.1:26002", "cache"),
                        org.assertj.core.groups.Tuple.tuple(8, RollPlan.Kind.RESTART_SENTINEL_REPLICA, "127.0.0.1:26003", "cache"),
                        org.assertj.core.groups.Tuple.tuple(9, RollPlan.Kind.SENTINEL_FAILOVER_THEN_RESTART, "127.0.0.1:26001", "cache"));
        assertThat(plan.steps().get(8).role()).isEqualTo("master");
        assertThat(plan.steps().get(8).failoverToAddress()).isEqualTo("127.0.0.1:26002");
    }

    @Test
    void aSentinelGroupWithoutAnOnlineReplicaOrQuorumOrWithAReplicaDownIsRefused() {
        ClusterSnapshot s = snapshot(Topologies.threeMastersThreeReplicas());
        HostPort p = HostPort.parse("127.0.0.1:26001");
        HostPort r = HostPort.parse("127.0.0.1:26002");
        assertThatThrownBy(() -> RollPlanner.plan(s, List.of(new RollPlanner.SentinelGroup("alone", p, List.of(), List.of(), true))))
                .isInstanceOf(PlanningException.class).hasMessageContaining("alone has no online replica");
        assertThatThrownBy(() -> RollPlanner.plan(s, List.of(new RollPlanner.SentinelGroup("noq", p, List.of(r), List.of(), false))))
                .isInstanceOf(PlanningException.class).hasMessageContaining("noq has no Sentinel quorum");
        assertThatThrownBy(() -> RollPlanner.plan(s, List.of(new RollPlanner.SentinelGroup("half", p, List.of(r),
                List.of(HostPort.parse("127.0.0.1:26003")), true))))
                .isInstanceOf(PlanningException.class).hasMessageContaining("half has replicas that are not online: [127.0.0.1:26003]");
    }
}
