package io.cahoots.agent.kube;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.executor.NodeRestartException;
import io.cahoots.agent.executor.NodeRestarter;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Restarts a Redis node on Kubernetes by deleting its pod: the StatefulSet (with {@code updateStrategy: OnDelete},
 * so that only the agent restarts pods) recreates it under the same name with the same volume, so the node keeps
 * its {@code nodes.conf} and data; its IP may change.
 *
 * <ol>
 *   <li>Find the pod of the namespace, among those the label selector matches, whose {@code status.podIP} is the
 *       node's host (none: a clear failure naming namespace and selector).</li>
 *   <li>Delete it (gracefully: its {@code preStop} and grace period apply) and remember its uid.</li>
 *   <li>Poll until a pod of that name with another uid reports the {@code Ready} condition and an IP; return that IP
 *       with the node's port. Past the timeout: a failure naming the pod and what it last showed.</li>
 * </ol>
 */
public final class KubernetesPodRestarter implements NodeRestarter {

    private static final long POLL_MILLIS = 500;

    private final KubernetesClient client;
    private final String namespace;
    private final String selector;

    public KubernetesPodRestarter(KubernetesClient client, String namespace, String selector) {
        this.client = client;
        this.namespace = namespace;
        this.selector = selector;
    }

    @Override
    public HostPort restart(HostPort address, Duration timeout) throws InterruptedException {
        Pod pod = podAt(address.host());
        String name = pod.getMetadata().getName();
        String uid = pod.getMetadata().getUid();
        try {
            client.pods().inNamespace(namespace).withName(name).delete();
        } catch (KubernetesClientException e) {
            throw new NodeRestartException("cannot delete pod " + namespace + "/" + name + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not recreated yet";
        while (System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS);
            try {
                Pod now = client.pods().inNamespace(namespace).withName(name).get();
                if (now == null || Objects.equals(uid, now.getMetadata().getUid())) {
                    last = now == null ? "not recreated yet" : "the old pod is still terminating";
                    continue;
                }
                String ip = now.getStatus() == null ? null : now.getStatus().getPodIP();
                if (ip == null || ip.isBlank() || !ready(now)) {
                    last = "recreated, not Ready yet";
                    continue;
                }
                return new HostPort(ip, address.port());
            } catch (KubernetesClientException e) {
                last = "the API server did not answer: " + e.getMessage();
            }
        }
        throw new NodeRestartException("pod " + namespace + "/" + name + " was not Ready again within "
                + timeout.toSeconds() + " s: " + last);
    }

    private Pod podAt(String ip) {
        List<Pod> pods;
        try {
            pods = client.pods().inNamespace(namespace).withLabelSelector(selector).list().getItems();
        } catch (KubernetesClientException e) {
            throw new NodeRestartException("cannot list the Redis pods (" + namespace + ", " + selector + "): "
                    + e.getMessage(), e);
        }
        return pods.stream().filter(p -> p.getStatus() != null && ip.equals(p.getStatus().getPodIP())).findFirst()
                .orElseThrow(() -> new NodeRestartException("no pod in namespace " + namespace + " matching " + selector
                        + " has the IP " + ip + " (" + pods.size() + " pods match: check AGENT_KUBE_REDIS_SELECTOR)"));
    }

    static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Override
    public String kind() {
        return "kubernetes";
    }

    /** The selector names the Redis Cluster's pods; a Sentinel group's pods are not rolled from here yet. */
    @Override
    public boolean restartsSentinelGroups() {
        return false;
    }
}
