package io.cahoots.agent.cluster;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterCheckTest {

    private static CheckReport check(Topologies t) {
        return snapshot(t).check();
    }

    private static ClusterSnapshot snapshot(Topologies t) {
        return SnapshotAssembler.assemble(Optional.empty(), t.observations(), Instant.EPOCH, Duration.ZERO);
    }

    @Test
    void aHealthyClusterIsOk() {
        CheckReport r = check(Topologies.threeMastersThreeReplicas());
        assertThat(r.ok()).isTrue();
        assertThat(r.agree()).isTrue();
        assertThat(r.problems()).isEmpty();
        assertThat(r.uncoveredSlots()).isEmpty();
    }

    @Test
    void anEmptyMasterIsNotAProblem() {
        assertThat(check(Topologies.threeMastersOneEmpty()).ok()).isTrue();
    }

    @Test
    void reportsAHalfFinishedMigrationOnBothSides() {
        CheckReport r = check(Topologies.threeMastersThreeReplicas().migrating(0, 100, 1).importing(1, 100, 0));
        assertThat(r.ok()).isFalse();
        assertThat(r.openSlots()).containsExactly(
                new OpenSlot(100, Topologies.id(0), OpenSlot.State.MIGRATING, Topologies.id(1)),
                new OpenSlot(100, Topologies.id(1), OpenSlot.State.IMPORTING, Topologies.id(0)));
        assertThat(r.openSlotCount()).isEqualTo(1);
        assertThat(r.problems()).anyMatch(p -> p.contains("slot 100 is migrating"));
    }

    @Test
    void reportsAnImportingOnlySlot() {
        CheckReport r = check(Topologies.threeMastersThreeReplicas().importing(2, 7, 0));
        assertThat(r.openSlots()).extracting(OpenSlot::state).containsExactly(OpenSlot.State.IMPORTING);
    }

    @Test
    void reportsUncoveredSlotsAsRanges() {
        CheckReport r = check(Topologies.threeMastersThreeReplicas().unassign(new SlotRange(10, 19)).unassign(SlotRange.of(16383)));
        assertThat(r.uncoveredSlots()).containsExactly(new SlotRange(10, 19), SlotRange.of(16383));
        assertThat(snapshot(Topologies.threeMastersThreeReplicas().unassign(new SlotRange(10, 19))).slotsAssigned())
                .isEqualTo(16384 - 10);
    }

    @Test
    void reportsDisagreementAndDoubleOwnership() {
        // Node 1 claims slots 0-9 of node 0 on its own line; everyone else still gives them to node 0.
        CheckReport r = check(Topologies.threeMastersThreeReplicas().alsoClaims(1, new SlotRange(0, 9)));
        assertThat(r.agree()).isFalse();
        assertThat(r.multiOwnedSlots()).containsExactly(new SlotRange(0, 9));
        assertThat(r.ok()).isFalse();
    }

    @Test
    void reportsUnreachableAndFailedNodes() {
        ClusterSnapshot s = snapshot(Topologies.threeMastersThreeReplicas().failed(2).unreachable(4));
        CheckReport r = s.check();
        assertThat(r.unreachable()).containsExactly(new HostPort("127.0.0.1", 30002), new HostPort("127.0.0.1", 30004));
        assertThat(r.failedSlots()).containsExactly(new SlotRange(10923, 16383));
        assertThat(s.node(Topologies.id(2)).orElseThrow().health()).isEqualTo(Health.FAIL);
        assertThat(s.node(Topologies.id(4)).orElseThrow().health()).isEqualTo(Health.UNREACHABLE);
        // Its slots are known from the peers' view, so they are not "uncovered".
        assertThat(r.uncoveredSlots()).isEmpty();
    }
}
