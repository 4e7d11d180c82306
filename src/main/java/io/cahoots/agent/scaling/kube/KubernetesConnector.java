package io.cahoots.agent.scaling.kube;

import io.cahoots.agent.config.ScalingSettings;
import io.cahoots.agent.scaling.Leadership;
import io.cahoots.agent.scaling.ReplicaTarget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Opens the Kubernetes side of the supervisor. The client bean (configured by {@code quarkus.kubernetes-client.*},
 * in a pod from its service account) is only looked up here, and this is only called when
 * {@code AGENT_SCALING_ENABLED=true}: without it the agent never touches a cluster or a kubeconfig.
 */
@Singleton
public class KubernetesConnector {

    /** Followers wait this long without renewals before taking over; never shorter, so a GC pause is not a coup. */
    static final Duration MIN_LEASE = Duration.ofSeconds(15);

    static final int RETRIES = 2;
    static final int RETRY_PAUSE_MS = 250;
    static final int REQUEST_TIMEOUT_MS = 5_000;

    private final Instance<KubernetesClient> clients;

    public KubernetesConnector(Instance<KubernetesClient> clients) {
        this.clients = clients;
    }

    /** What the supervisor needs: the Deployment and the lease, in the resolved namespace. */
    public record Connection(String namespace, ReplicaTarget target, Leadership leadership) {
    }

    public Connection connect(ScalingSettings settings, Clock clock) {
        KubernetesClient client = bounded(clients.get());
        String namespace = settings.namespace()
                .orElseGet(() -> Optional.ofNullable(client.getNamespace()).filter(s -> !s.isBlank()).orElse("default"));
        return new Connection(namespace, new KubernetesTarget(client, namespace, settings.deployment()),
                new KubernetesLease(client, namespace, leaseName(settings.deployment()), identity(),
                        leaseDuration(settings.interval()), clock));
    }

    /**
     * Restarts Redis nodes by deleting their pods (a roll), in {@code namespace} (unset: the agent's own) among the
     * pods {@code selector} matches. Called only when {@code AGENT_KUBE_REDIS_SELECTOR} is set.
     */

    /**
     * The same client with every call bounded: at most {@value #RETRIES} retries {@value #RETRY_PAUSE_MS}ms apart
     * and {@value #REQUEST_TIMEOUT_MS}ms per request. Fabric8's default backs off exponentially ten times, which
     * would stall an evaluation (and the lease renewals in it) for minutes when the API server is unreachable.
     */
    static KubernetesClient bounded(KubernetesClient client) {
        RequestConfig rc = new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                .withRequestRetryBackoffLimit(RETRIES).withRequestRetryBackoffInterval(RETRY_PAUSE_MS)
                .withRequestTimeout(REQUEST_TIMEOUT_MS).build();
        return client.newClient(rc).adapt(KubernetesClient.class);
    }

    /** One lease per supervised Deployment, so two agents watching different Deployments never block each other. */
    static String leaseName(String deployment) {
        String n = "cahoots-scaling-" + deployment;
        return n.length() <= 253 ? n : n.substring(0, 253);
    }

    /** Three evaluations' worth, at least {@link #MIN_LEASE}, whole seconds (the Lease field is in seconds). */
    static Duration leaseDuration(Duration interval) {
        long seconds = Math.max(MIN_LEASE.toSeconds(), (interval.multipliedBy(3).toMillis() + 999) / 1000);
        return Duration.ofSeconds(seconds);
    }

    /** The pod name (HOSTNAME in Kubernetes) and the process id, so two agents on one host differ too. */
    static String identity() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "agent";
            }
        }
        return host + "_" + ProcessHandle.current().pid();
    }
}
