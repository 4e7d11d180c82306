package io.cahoots.agent.scaling.kube;

import io.cahoots.agent.scaling.MockKubernetes;
import io.cahoots.agent.scaling.ReplicaTarget;
import io.cahoots.agent.scaling.ScalingException;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Deployment adapter against the CRUD mock API server. */
class KubernetesTargetTest {

    static MockKubernetes kube;
    static int n;
    String ns;
    KubernetesTarget target;

    @BeforeAll
    static void start() {
        kube = new MockKubernetes();
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    @BeforeEach
    void freshNamespace() throws InterruptedException {
        ns = "shop" + ++n;
        kube.deployment(ns, "cahoots-api", 2);
        target = new KubernetesTarget(kube.client(), ns, "cahoots-api");
        drainRequests();
    }

    @Test
    void readsReplicasAndScalesThroughTheScaleSubresourceIdempotently() throws Exception {
        assertThat(target.read()).isEqualTo(new ReplicaTarget.State(2, java.util.Optional.empty()));
        target.scale(2, 4);
        assertThat(kube.replicas(ns, "cahoots-api")).isEqualTo(4);
        List<String> writes = drainRequests().stream().filter(r -> !r.getMethod().equals("GET"))
                .map(r -> r.getMethod() + " " + r.getPath() + " " + r.getHeader("Content-Type")).toList();
        assertThat(writes).singleElement().asString()
                .startsWith("PATCH /apis/apps/v1/namespaces/" + ns + "/deployments/cahoots-api/scale application/merge-patch+json");
        // Asked again (a retry after a lost answer, say): already there, no second write.
        target.scale(2, 4);
        assertThat(drainRequests()).allMatch(r -> r.getMethod().equals("GET"));
        assertThat(target.read().replicas()).isEqualTo(4);
    }

    @Test
    void aCountChangedByASomeoneElseIsNotOverwritten() {
        kube.setReplicas(ns, "cahoots-api", 7);
        assertThatThrownBy(() -> target.scale(2, 4)).isInstanceOf(ScalingException.class)
                .hasMessageContaining("has 7 replicas, not the 2").hasMessageContaining("changed outside the agent");
        assertThat(kube.replicas(ns, "cahoots-api")).isEqualTo(7);
    }

    @Test
    void anAutoscalerOnTheDeploymentMeansHandsOff() {
        kube.hpa(ns, "other-hpa", "another-deployment");
        assertThat(target.read().handsOff()).isEmpty();
        kube.hpa(ns, "api-hpa", "cahoots-api");
        assertThat(target.read().handsOff()).hasValueSatisfying(r -> assertThat(r)
                .isEqualTo("HorizontalPodAutoscaler api-hpa targets Deployment " + ns + "/cahoots-api: advising only, not fighting it"));
    }

    @Test
    void aMissingDeploymentSaysWhichSettingsToCheck() {
        KubernetesTarget missing = new KubernetesTarget(kube.client(), ns, "nope");
        assertThatThrownBy(missing::read).isInstanceOf(ScalingException.class)
                .hasMessage("Deployment " + ns + "/nope not found (set AGENT_SCALING_NAMESPACE and AGENT_SCALING_DEPLOYMENT)");
    }

    private static List<RecordedRequest> drainRequests() throws InterruptedException {
        List<RecordedRequest> out = new ArrayList<>();
        RecordedRequest r;
        while ((r = kube.server().takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
            out.add(r);
        }
        return out;
    }
}
