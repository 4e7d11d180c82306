package io.cahoots.agent.kube;

import io.cahoots.agent.config.KubeSettings;
import io.cahoots.agent.pods.PodSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import java.util.Optional;

/**
 * Opens the Kubernetes side of the Redis pods supervisor and of the roll. The client (configured by {@code quarkus.kubernetes-client.*},
 * in a pod from its service account) is only looked up when {@code AGENT_KUBE_REDIS_SELECTOR} is set.
 */
@Singleton
public class KubePodsConnector {

    static final int RETRIES = 2;
    static final int RETRY_PAUSE_MS = 250;
    static final int REQUEST_TIMEOUT_MS = 5_000;

    private final Instance<KubernetesClient> clients;

    public KubePodsConnector(Instance<KubernetesClient> clients) {
        this.clients = clients;
    }

    public PodSource connect(KubeSettings settings) {
        KubernetesClient client = bounded();
        return new KubernetesPods(client, namespace(client, settings), settings.selector());
    }

    /** A roll's restarter: deletes a node's pod and waits for the StatefulSet to bring it back. */
    public KubernetesPodRestarter restarter(KubeSettings settings) {
        KubernetesClient client = bounded();
        String selector = settings.selector().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining(","));
        return new KubernetesPodRestarter(client, namespace(client, settings), selector);
    }

    private static String namespace(KubernetesClient client, KubeSettings settings) {
        return settings.namespace()
                .orElseGet(() -> Optional.ofNullable(client.getNamespace()).filter(s -> !s.isBlank()).orElse("default"));
    }

    private KubernetesClient bounded() {
        KubernetesClient base = clients.get();
        // Bounded like the scaling supervisor's client: fabric8's default backs off for minutes when the API is away.
        RequestConfig rc = new RequestConfigBuilder(base.getConfiguration().getRequestConfig())
                .withRequestRetryBackoffLimit(RETRIES).withRequestRetryBackoffInterval(RETRY_PAUSE_MS)
                .withRequestTimeout(REQUEST_TIMEOUT_MS).build();
        return base.newClient(rc).adapt(KubernetesClient.class);
    }
}
