package io.cahoots.agent.cluster;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotAssemblerTest {

    private static ClusterSnapshot next(Optional<ClusterSnapshot> previous, Topologies t) {
        return SnapshotAssembler.assemble(previous, t.observations(), Instant.EPOCH, Duration.ofMillis(3));
    }

    @Test
    void mergesRolesSlotsMetricsAndReplicationLag() {
        ClusterSnapshot s = next(Optional.empty(), Topologies.threeMastersThreeReplicas());
        assertThat(s.version()).isEqualTo(1);
        assertThat(s.state()).isEqualTo("ok");
        assertThat(s.masters()).hasSize(3);
        assertThat(s.replicasOf(Topologies.id(0))).hasSize(1);
        ClusterNode replica = s.replicasOf(Topologies.id(0)).get(0);
        assertThat(replica.replicationLagBytes()).isEqualTo(10);
        assertThat(s.nodes()).allMatch(n -> n.metrics().isPresent() && n.health() == Health.OK);
        assertThat(s.masters().stream().mapToInt(ClusterNode::slotCount).sum()).isEqualTo(16384);
    }

    @Test
    void replicasByMasterAnswersWhatReplicasOfAnswersForEveryMaster() {
        ClusterSnapshot s = next(Optional.empty(), Topologies.threeMastersThreeReplicas());
        var byMaster = s.replicasByMaster();
        assertThat(byMaster).hasSize(3);
        s.masters().forEach(m -> assertThat(byMaster.get(m.id())).containsExactlyElementsOf(s.replicasOf(m.id())));
    }

    @Test
    void versionMovesOnTopologyChangesOnly() {
        ClusterSnapshot first = next(Optional.empty(), Topologies.threeMastersThreeReplicas());
        ClusterSnapshot same = next(Optional.of(first), Topologies.threeMastersThreeReplicas());
        assertThat(same.version()).isEqualTo(1);

        ClusterSnapshot open = next(Optional.of(same), Topologies.threeMastersThreeReplicas().migrating(0, 5, 1));
        assertThat(open.version()).isEqualTo(2);
        ClusterSnapshot failed = next(Optional.of(open), Topologies.threeMastersThreeReplicas().failed(3));
        assertThat(failed.version()).isEqualTo(3);
        ClusterSnapshot back = next(Optional.of(failed), Topologies.threeMastersThreeReplicas());
        assertThat(back.version()).isEqualTo(4);
    }

    @Test
    void clusterStateIsTheWorstReported() {
        ClusterSnapshot s = next(Optional.empty(), Topologies.threeMastersThreeReplicas().clusterState(4, "fail"));
        assertThat(s.state()).isEqualTo("fail");
    }

    @Test
    void randomClustersAlwaysCoverEverySlotOnce() {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            int masters = 1 + random.nextInt(40);
            ClusterSnapshot s = next(Optional.empty(), Topologies.evenly(masters, random.nextInt(3)));
            assertThat(s.check().ok()).as("masters=%d", masters).isTrue();
            assertThat(s.slotsAssigned()).isEqualTo(16384);
            int max = s.masters().stream().mapToInt(ClusterNode::slotCount).max().orElseThrow();
            int min = s.masters().stream().mapToInt(ClusterNode::slotCount).min().orElseThrow();
            assertThat(max - min).isLessThanOrEqualTo(1);
        }
    }
}
