package io.cahoots.agent.topology;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CausesTest {

    static TopologyView.Shard shard(int start, int end, String master, String... replicas) {
        return new TopologyView.Shard(List.of(List.of(start, end)), master, List.of(replicas));
    }

    static TopologyView.Content cluster(TopologyView.Shard... shards) {
        return new TopologyView.Content(List.of(shards), Map.of());
    }

    static TopologyView.Content sentinel(String master, String... replicas) {
        return new TopologyView.Content(List.of(), Map.of("mymaster", new TopologyView.Group(master, List.of(replicas))));
    }

    final TopologyView.Content two = cluster(shard(0, 8191, "a:1", "c:1"), shard(8192, 16383, "b:1", "d:1"));

    @Test
    void theFirstViewIsInitial() {
        assertThat(Causes.between(null, two)).isEqualTo(Causes.INITIAL);
    }

    @Test
    void aReplicaTakingItsMastersSlotsIsAFailover() {
        assertThat(Causes.between(two, cluster(shard(0, 8191, "c:1"), shard(8192, 16383, "b:1", "d:1"))))
                .isEqualTo(Causes.FAILOVER);
    }

    @Test
    void aSentinelMasterMovingIsAFailover() {
        assertThat(Causes.between(sentinel("a:1", "b:1"), sentinel("b:1"))).isEqualTo(Causes.FAILOVER);
    }

    @Test
    void slotsChangingHandsOtherwiseAreMoved() {
        assertThat(Causes.between(two, cluster(shard(0, 8000, "a:1", "c:1"), new TopologyView.Shard(
                List.of(List.of(8001, 16383)), "b:1", List.of("d:1"))))).isEqualTo(Causes.SLOTS_MOVED);
    }

    @Test
    void nodesComingAndGoing() {
        TopologyView.Content withEmpty = cluster(shard(0, 8191, "a:1", "c:1"), shard(8192, 16383, "b:1", "d:1"),
                new TopologyView.Shard(List.of(), "e:1", List.of()));
        assertThat(Causes.between(two, withEmpty)).isEqualTo(Causes.NODE_ADDED);
        assertThat(Causes.between(withEmpty, two)).isEqualTo(Causes.NODE_REMOVED);
        assertThat(Causes.between(sentinel("a:1"), sentinel("a:1", "b:1"))).isEqualTo(Causes.NODE_ADDED);
    }

    @Test
    void aReplicaFollowingAnotherMasterIsAReplicaChange() {
        assertThat(Causes.between(two, cluster(shard(0, 8191, "a:1", "c:1", "d:1"), shard(8192, 16383, "b:1"))))
                .isEqualTo(Causes.REPLICAS_CHANGED);
    }
}
