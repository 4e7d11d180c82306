package io.cahoots.agent.kube;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.pods.KubeRedisPods;
import io.cahoots.agent.pods.PodList;
import io.cahoots.agent.pods.RedisPod;
import io.cahoots.agent.scaling.MockKubernetes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/** The pods adapter against the CRUD mock API server. */
class KubernetesPodsTest {

    static MockKubernetes kube;

    @BeforeAll
    static void start() {
        kube = new MockKubernetes();
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    @Test
    void listsThePodsWithAddressOrdinalNodeAndTheStatefulSetsReplicasAndRequest() {
        KubeRedisPods set = new KubeRedisPods(kube, 3);
        set.pod(0, new HostPort("10.1.0.5", 7000), "kn-a");
        set.pod(2, new HostPort("10.1.0.7", 7002), "kn-c");
        KubernetesPods pods = new KubernetesPods(kube.client(), KubeRedisPods.NS, Map.of("app.kubernetes.io/name", KubeRedisPods.SET));
        PodList list = pods.list();
        assertThat(list.statefulSet()).contains(KubeRedisPods.SET);
        assertThat(list.specReplicas()).isEqualTo(OptionalInt.of(3));
        assertThat(list.requestedReplicas()).isEmpty();
        assertThat(list.pods()).containsExactlyInAnyOrder(
                new RedisPod("redis-cluster-0", Optional.of(new HostPort("10.1.0.5", 7000)), OptionalInt.of(0), Optional.of("kn-a"), true, false),
                new RedisPod("redis-cluster-2", Optional.of(new HostPort("10.1.0.7", 7002)), OptionalInt.of(2), Optional.of("kn-c"), true, false));

        set.request(5);
        assertThat(pods.list().requestedReplicas()).isEqualTo(OptionalInt.of(5));
        pods.scale(KubeRedisPods.SET, 5);
        assertThat(set.specReplicas()).isEqualTo(5);
        // The shard autoscaler asks through the same annotation; spec.replicas is not touched.
        pods.request(KubeRedisPods.SET, 7);
        assertThat(pods.list().requestedReplicas()).isEqualTo(OptionalInt.of(7));
        assertThat(set.specReplicas()).isEqualTo(5);
        pods.event(KubeRedisPods.SET, true, "ScaleDownHeld", "held");
        assertThat(set.events("ScaleDownHeld")).isEqualTo(1);

        set.moved(2, new HostPort("10.1.0.9", 7002));
        assertThat(pods.list().pods()).anyMatch(p -> p.address().equals(Optional.of(new HostPort("10.1.0.9", 7002))));
        // Other pods of the namespace are not the agent's.
        assertThat(new KubernetesPods(kube.client(), KubeRedisPods.NS, Map.of("app", "other")).list().pods()).isEmpty();
    }
}
