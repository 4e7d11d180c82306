package io.cahoots.agent.cluster;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MembershipTest {

    private static final HostPort SEED = new HostPort("127.0.0.1", 30000);

    private static NodeObservation alone(HostPort address, String id) {
        return NodeObservation.reached(address, ClusterNodesParser.parse(id + " " + address + "@40000 myself,master - 0 0 0 connected\n"),
                InfoReply.parse("role:master\n"), InfoReply.parse("cluster_state:fail\n"), List.of());
    }

    @Test
    void aRemovedNodeThatStillAnswersIsLeftOut() {
        List<NodeObservation> obs = new ArrayList<>(Topologies.threeMastersThreeReplicas().observations());
        HostPort removed = new HostPort("127.0.0.1", 31000);
        obs.add(alone(removed, "f".repeat(40)));
        List<NodeObservation> members = Membership.members(List.of(SEED), obs);
        assertThat(members).hasSize(6).noneMatch(o -> o.address().equals(removed));
    }

    @Test
    void aRemovedSeedIsLeftOutToo() {
        List<NodeObservation> obs = new ArrayList<>(Topologies.threeMastersThreeReplicas().observations());
        HostPort removed = new HostPort("127.0.0.1", 31000);
        obs.add(alone(removed, "f".repeat(40)));
        assertThat(Membership.members(List.of(removed, SEED), obs)).hasSize(6);
    }

    @Test
    void unreachableMembersAreKeptAndNothingIsFilteredWithoutAReachableSeed() {
        List<NodeObservation> obs = Topologies.threeMastersThreeReplicas().unreachable(4).observations();
        assertThat(Membership.members(List.of(SEED), obs)).hasSize(6);
        List<NodeObservation> none = List.of(NodeObservation.failed(SEED, "refused"));
        assertThat(Membership.members(List.of(SEED), none)).hasSize(1);
    }
}
