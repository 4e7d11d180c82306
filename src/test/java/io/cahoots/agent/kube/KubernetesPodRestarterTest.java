package io.cahoots.agent.kube;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.executor.NodeRestartException;
import io.cahoots.agent.scaling.MockKubernetes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The roll's pod restarter against the CRUD mock API server. The mock has no controllers, so the test plays the
 * StatefulSet controller: once the pod is gone it creates it again under the same name with a new uid and IP, first
 * not Ready (the container starting, Redis loading), then Ready.
 */
class KubernetesPodRestarterTest {

    static MockKubernetes kube;
    static int n;
    String ns;
    KubernetesClient client;
    KubernetesPodRestarter restarter;

    @BeforeAll
    static void start() {
        kube = new MockKubernetes();
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    @BeforeEach
    void pods() {
        ns = "redis" + ++n;
        client = kube.client();
        for (int i = 0; i < 3; i++) {
            create(pod("redis-cluster-" + i, "10.0.0." + (10 + i), true, "redis-cluster"));
        }
        create(pod("other-0", "10.0.9.1", true, "something-else"));
        restarter = new KubernetesPodRestarter(client, ns, "app.kubernetes.io/name=redis-cluster");
    }

    @Test
    void deletesThePodWithTheNodesIpAndReturnsTheNewIpOnceTheRecreatedPodIsReady() throws Exception {
        String oldUid = client.pods().inNamespace(ns).withName("redis-cluster-1").get().getMetadata().getUid();
        CompletableFuture<Void> statefulSet = CompletableFuture.runAsync(() -> recreate("redis-cluster-1", "10.0.0.21"));

        HostPort back = restarter.restart(new HostPort("10.0.0.11", 6379), Duration.ofSeconds(30));

        assertThat(back).isEqualTo(new HostPort("10.0.0.21", 6379));
        statefulSet.get(10, TimeUnit.SECONDS);
        Pod now = client.pods().inNamespace(ns).withName("redis-cluster-1").get();
        assertThat(now.getMetadata().getUid()).isNotEqualTo(oldUid);
        assertThat(KubernetesPodRestarter.ready(now)).isTrue();
        // The other pods were left alone.
        assertThat(client.pods().inNamespace(ns).withName("redis-cluster-0").get().getStatus().getPodIP()).isEqualTo("10.0.0.10");
        assertThat(client.pods().inNamespace(ns).withName("redis-cluster-2").get().getStatus().getPodIP()).isEqualTo("10.0.0.12");
    }

    @Test
    void anIpNoSelectedPodHasIsAClearFailureAndDeletesNothing() {
        assertThatThrownBy(() -> restarter.restart(new HostPort("10.0.9.1", 6379), Duration.ofSeconds(5)))
                .isInstanceOf(NodeRestartException.class)
                .hasMessageContaining("no pod in namespace " + ns + " matching app.kubernetes.io/name=redis-cluster has the IP 10.0.9.1")
                .hasMessageContaining("3 pods match");
        assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(4);
    }

    @Test
    void aPodThatDoesNotComeBackFailsWithinTheBoundNamingIt() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> restarter.restart(new HostPort("10.0.0.12", 6379), Duration.ofSeconds(2)))
                .isInstanceOf(NodeRestartException.class)
                .hasMessageContaining("pod " + ns + "/redis-cluster-2 was not Ready again within 2 s: not recreated yet");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
    }

    /** The StatefulSet controller, played by the test: wait until the pod is gone, create it again, make it Ready later. */
    private void recreate(String name, String newIp) {
        await().atMost(Duration.ofSeconds(20)).until(() -> client.pods().inNamespace(ns).withName(name).get() == null);
        create(pod(name, newIp, false, "redis-cluster"));
        try {
            Thread.sleep(1500); // deliberate: the new pod stays not Ready a while, as a starting one does
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.pods().inNamespace(ns).withName(name).delete();
        await().atMost(Duration.ofSeconds(20)).until(() -> client.pods().inNamespace(ns).withName(name).get() == null);
        create(pod(name, newIp, true, "redis-cluster"));
    }

    private void create(Pod p) {
        client.pods().inNamespace(ns).resource(p).create();
    }

    private Pod pod(String name, String ip, boolean ready, String app) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).withUid(UUID.randomUUID().toString())
                .addToLabels("app.kubernetes.io/name", app).endMetadata()
                .withNewSpec().addNewContainer().withName("redis").withImage("redis:7.0").endContainer().endSpec()
                .withNewStatus().withPodIP(ip).addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .endCondition().endStatus().build();
    }
}
