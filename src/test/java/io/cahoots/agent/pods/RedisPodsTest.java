package io.cahoots.agent.pods;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static io.cahoots.agent.pods.PodsFixtures.id;
import static io.cahoots.agent.pods.PodsFixtures.pod;
import static io.cahoots.agent.pods.PodsFixtures.threeByOne;
import static org.assertj.core.api.Assertions.assertThat;

class RedisPodsTest {

    static List<RedisPod> sixPods() {
        return List.of(pod(0, "10.0.0.1", "kn-a"), pod(1, "10.0.0.2", "kn-b"), pod(2, "10.0.0.3", "kn-c"),
                pod(3, "10.0.0.4", "kn-b"), pod(4, "10.0.0.5", "kn-c"), pod(5, "10.0.0.6", "kn-a"));
    }

    @Test
    void everyNodeFindsItsPodByAddress() {
        RedisPods m = RedisPods.map(sixPods(), threeByOne());
        for (int i = 0; i < 6; i++) {
            assertThat(m.podOf(id(i)).map(RedisPod::name)).contains("redis-cluster-" + i);
            assertThat(m.nodeOf("redis-cluster-" + i)).contains(id(i));
        }
        assertThat(m.kubeNodeOf(id(3))).contains("kn-b");
        assertThat(m.unmappedPods()).isEmpty();
        assertThat(m.unmappedNodes()).isEmpty();
    }

    @Test
    void aNewPodAndAPendingOneAreUnmappedAndANodeWithoutPodToo() {
        List<RedisPod> pods = new java.util.ArrayList<>(sixPods().subList(0, 5));
        pods.add(pod(6, "10.0.0.7", "kn-a"));
        pods.add(pod(7, null, null));
        RedisPods m = RedisPods.map(pods, threeByOne());
        assertThat(m.unmappedPods()).extracting(RedisPod::name).containsExactly("redis-cluster-6", "redis-cluster-7");
        assertThat(m.unmappedNodes()).containsExactly(id(5));
    }

    @Test
    void aNodeAnnouncingThePodNameAsHostnameIsFoundWhileItsAddressIsStale() {
        ClusterSnapshot s = threeByOne();
        ClusterNode n0 = s.nodes().get(0);
        ClusterNode renamed = new ClusterNode(n0.id(), n0.address(), n0.busPort(), Optional.of("redis-cluster-0"), n0.clientEndpoint(),
                n0.role(), n0.masterId(), n0.slots(), n0.flags(), n0.linkConnected(), n0.configEpoch(), n0.migrating(), n0.importing(),
                n0.health(), n0.metrics(), n0.replicationLagBytes(), n0.error());
        List<ClusterNode> nodes = new java.util.ArrayList<>(s.nodes());
        nodes.set(0, renamed);
        List<RedisPod> pods = new java.util.ArrayList<>(sixPods());
        pods.set(0, pod(0, "10.0.9.1", "kn-a")); // new IP, not yet what the cluster lists
        RedisPods m = RedisPods.map(pods, PodsFixtures.snapshot(nodes));
        assertThat(m.podOf(id(0)).flatMap(RedisPod::address)).contains(PodsFixtures.at("10.0.9.1"));
    }

    @Test
    void ordinalsComeFromTheStatefulSetNaming() {
        assertThat(RedisPod.ordinalOf("redis-cluster-7", Optional.of("redis-cluster"))).isEqualTo(OptionalInt.of(7));
        assertThat(RedisPod.ordinalOf("redis-cluster-12", Optional.empty())).isEqualTo(OptionalInt.of(12));
        assertThat(RedisPod.ordinalOf("other-set-1", Optional.of("redis-cluster"))).isEmpty();
        assertThat(RedisPod.ordinalOf("redis-cluster-abc12", Optional.of("redis-cluster"))).isEmpty();
        assertThat(RedisPod.ordinalOf("redis", Optional.empty())).isEmpty();
    }
}
