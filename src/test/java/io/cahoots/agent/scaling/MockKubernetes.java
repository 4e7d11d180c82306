package io.cahoots.agent.scaling;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;

/**
 * Fabric8's Kubernetes mock server in CRUD mode on loopback: it stores what is created and patched, like an API
 * server without controllers. Stands in for the API server (none can run here).
 */
public final class MockKubernetes implements AutoCloseable {

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    public MockKubernetes() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        client = server.createClient();
    }

    public KubernetesClient client() {
        return client;
    }

    public KubernetesMockServer server() {
        return server;
    }

    /** {@code http://127.0.0.1:port}, for {@code QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL}. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    public void deployment(String namespace, String name, int replicas) {
        Deployment d = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("api").withImage("cahoots-api:1").endContainer().endSpec()
                .endTemplate().endSpec().build();
        client.apps().deployments().inNamespace(namespace).resource(d).create();
    }

    public int replicas(String namespace, String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name).get().getSpec().getReplicas();
    }

    /** Scales the way a person would ({@code kubectl scale}), outside the agent. */
    public void setReplicas(String namespace, String name, int replicas) {
        client.apps().deployments().inNamespace(namespace).withName(name)
                .edit(d -> new DeploymentBuilder(d).editSpec().withReplicas(replicas).endSpec().build());
    }

    public void hpa(String namespace, String name, String deployment) {
        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).resource(new HorizontalPodAutoscalerBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(deployment)
                .endScaleTargetRef().withMinReplicas(2).withMaxReplicas(10).endSpec().build()).create();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
