package io.cahoots.agent.pods;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.SlotRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.cahoots.agent.pods.PodsFixtures.id;
import static io.cahoots.agent.pods.PodsFixtures.master;
import static io.cahoots.agent.pods.PodsFixtures.pod;
import static io.cahoots.agent.pods.PodsFixtures.replica;
import static io.cahoots.agent.pods.PodsFixtures.snapshot;
import static io.cahoots.agent.pods.PodsFixtures.threeByOne;
import static org.assertj.core.api.Assertions.assertThat;

class PodPlannerTest {

    @Test
    void aNewReplicaFollowsAMasterWithTheFewestReplicasOnAnotherKubernetesNode() {
        ClusterSnapshot s = threeByOne();
        RedisPods m = RedisPods.map(RedisPodsTest.sixPods(), s);
        // Masters on kn-a, kn-b, kn-c, one replica each: a pod on kn-a goes to the master on kn-b (lowest id of the two).
        assertThat(PodPlanner.masterFor(s, m, Optional.of("kn-a")).map(ClusterNode::id)).contains(id(1));
        assertThat(PodPlanner.masterFor(s, m, Optional.of("kn-b")).map(ClusterNode::id)).contains(id(0));
        assertThat(PodPlanner.masterFor(s, m, Optional.empty()).map(ClusterNode::id)).contains(id(0));
    }

    @Test
    void fewestReplicasComesBeforeAnotherKubernetesNode() {
        List<ClusterNode> nodes = new ArrayList<>(threeByOne().nodes());
        nodes.remove(5); // master 2 (kn-c) has no replica now
        ClusterSnapshot s = snapshot(nodes);
        RedisPods m = RedisPods.map(RedisPodsTest.sixPods().subList(0, 5), s);
        assertThat(PodPlanner.masterFor(s, m, Optional.of("kn-c")).map(ClusterNode::id)).contains(id(2));
    }

    @Test
    void emptyMastersAndUnreachableOnesTakeNoReplica() {
        ClusterSnapshot s = snapshot(List.of(master(0, "10.0.0.1", List.of(new SlotRange(0, 16383))),
                master(1, "10.0.0.2", List.of()), replica(2, "10.0.0.3", 0)));
        RedisPods m = RedisPods.map(List.of(pod(0, "10.0.0.1", "a"), pod(1, "10.0.0.2", "b"), pod(2, "10.0.0.3", "c")), s);
        assertThat(PodPlanner.masterFor(s, m, Optional.of("a")).map(ClusterNode::id)).contains(id(0));
    }

    @Test
    void aScaleDownTakesReplicasFirstThenMastersFromTheHighestOrdinal() {
        List<ClusterNode> nodes = new ArrayList<>(threeByOne().nodes());
        nodes.add(master(6, "10.0.0.7", List.of()));
        nodes.add(master(7, "10.0.0.8", List.of(new SlotRange(0, 10))));
        nodes.add(replica(8, "10.0.0.9", 7));
        ClusterSnapshot s = snapshot(nodes);
        List<RedisPod> pods = new ArrayList<>(RedisPodsTest.sixPods());
        pods.add(pod(6, "10.0.0.7", "a"));
        pods.add(pod(7, "10.0.0.8", "b"));
        pods.add(pod(8, "10.0.0.9", "c"));
        RedisPods m = RedisPods.map(pods, s);
        List<ClusterNode> leaving = PodPlanner.leaving(s, m, 6);
        assertThat(leaving).extracting(ClusterNode::id).containsExactly(id(8), id(7), id(6));
        assertThat(PodPlanner.slotsLeaving(leaving)).isEqualTo(11);
        assertThat(PodPlanner.leaving(s, m, 9)).isEmpty();
        assertThat(PodPlanner.leaving(s, m, 5)).extracting(ClusterNode::id).startsWith(id(8), id(5));
    }
}
