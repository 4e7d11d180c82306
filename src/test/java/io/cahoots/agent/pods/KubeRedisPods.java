package io.cahoots.agent.pods;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.scaling.MockKubernetes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.HashMap;
import java.util.Map;

/**
 * A Redis StatefulSet and its pods on the CRUD mock API server, each "pod" a lab node: what the StatefulSet
 * controller and the kubelet would write (pod IP, node name, Ready), written by the test.
 */
public final class KubeRedisPods {

    public static final String NS = "redis";
    public static final String SET = "redis-cluster";
    public static final String SELECTOR = "app.kubernetes.io/name=redis-cluster";

    private final KubernetesClient client;

    public KubeRedisPods(MockKubernetes kube, int replicas) {
        this.client = kube.client();
        client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
                .withNewMetadata().withName(SET).withNamespace(NS).withUid("uid-" + SET).endMetadata()
                .withNewSpec().withReplicas(replicas).withServiceName(SET)
                .withNewSelector().addToMatchLabels("app.kubernetes.io/name", SET).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app.kubernetes.io/name", SET).endMetadata()
                .withNewSpec().addNewContainer().withName("redis").withImage("redis:7").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
    }

    /** Pod {@code redis-cluster-<ordinal>} for the node at {@code address}, on Kubernetes node {@code kubeNode}. */
    public void pod(int ordinal, HostPort address, String kubeNode) {
        Pod p = new PodBuilder().withNewMetadata().withName(SET + "-" + ordinal).withNamespace(NS)
                .addToLabels("app.kubernetes.io/name", SET)
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet").withName(SET).withUid("uid-" + SET)
                .withController(true).endOwnerReference().endMetadata()
                .withNewSpec().withNodeName(kubeNode).addNewContainer().withName("redis").withImage("redis:7")
                .addNewPort().withName("redis").withContainerPort(address.port()).endPort().endContainer().endSpec()
                .withNewStatus().withPodIP(address.host()).withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
        client.pods().inNamespace(NS).resource(p).create();
    }

    /** The pod came back with a new IP (same name, same ordinal). */
    public void moved(int ordinal, HostPort address) {
        client.pods().inNamespace(NS).withName(SET + "-" + ordinal)
                .edit(p -> new PodBuilder(p).editStatus().withPodIP(address.host()).endStatus().build());
    }

    public void delete(int ordinal) {
        client.pods().inNamespace(NS).withName(SET + "-" + ordinal).delete();
    }

    public String podIp(int ordinal) {
        return client.pods().inNamespace(NS).withName(SET + "-" + ordinal).get().getStatus().getPodIP();
    }

    public int specReplicas() {
        return statefulSet().getSpec().getReplicas();
    }

    /** What an operator does to scale through the agent. */
    public void request(int replicas) {
        client.apps().statefulSets().inNamespace(NS).withName(SET).edit(s -> new StatefulSetBuilder(s).editMetadata()
                .addToAnnotations(PodSource.REPLICAS_REQUEST, Integer.toString(replicas)).endMetadata().build());
    }

    public StatefulSet statefulSet() {
        return client.apps().statefulSets().inNamespace(NS).withName(SET).get();
    }

    public long events(String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream().filter(e -> reason.equals(e.getReason())).count();
    }

    public static Map<String, String> env(MockKubernetes kube) {
        Map<String, String> env = new HashMap<>();
        env.put("AGENT_KUBE_REDIS_NAMESPACE", NS);
        env.put("AGENT_KUBE_REDIS_SELECTOR", SELECTOR);
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", kube.url());
        env.put("AGENT_POLL_INTERVAL", "500ms");
        env.put("AGENT_ADMIN_TOKEN", "redis-pods-it-admin-token");
        return env;
    }
}
