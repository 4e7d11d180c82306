package io.cahoots.agent.observe;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.SnapshotAssembler;
import io.cahoots.agent.cluster.Topologies;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotCodecTest {

    private static ClusterSnapshot snapshot(Topologies t) {
        return SnapshotAssembler.assemble(Optional.empty(), t.observations(), Instant.parse("2026-11-30T10:00:00Z"),
                Duration.ofMillis(12));
    }

    @Test
    void aSharedSnapshotReadsBackEqualToTheLeadersOne() {
        for (Topologies t : new Topologies[]{Topologies.threeMastersThreeReplicas(), Topologies.threeMastersOneEmpty(),
                Topologies.threeMastersThreeReplicas().failed(0).failed(4), Topologies.evenly(50, 1)}) {
            ClusterSnapshot s = snapshot(t);
            assertThat(SnapshotCodec.decode(SnapshotCodec.encode(s))).isEqualTo(s);
        }
    }

    @Test
    void aHundredNodeSnapshotIsSmallOnTheWire() {
        assertThat(SnapshotCodec.encode(snapshot(Topologies.evenly(50, 1))).length).isLessThan(30_000);
    }
}
