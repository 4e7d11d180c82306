package io.cahoots.agent.kube;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.pods.PodList;
import io.cahoots.agent.pods.PodSource;
import io.cahoots.agent.pods.RedisPod;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Redis pods as the Kubernetes API lists them. Every call is one RBAC rule ({@code docs/kubernetes.md}):
 * {@code pods list}, {@code statefulsets get, patch}, {@code events create}.
 *
 * <ol>
 *   <li>List the pods of {@code AGENT_KUBE_REDIS_SELECTOR} in the namespace: name, {@code status.podIP}, the Redis
 *       port (the container port named {@code redis}, else 6379), {@code spec.nodeName}, the Ready condition and a
 *       deletion timestamp.</li>
 *   <li>The StatefulSet that owns them (the first owner reference of kind StatefulSet) gives the ordinals, its
 *       {@code spec.replicas} and the operator's request in the {@value PodSource#REPLICAS_REQUEST} annotation (which the
 *       shard autoscaler writes too, {@link #request}).</li>
 * </ol>
 * A list each supervisor tick rather than a watch: a few pods, once a second, and nothing to resynchronise after the
 * API server restarts.
 */
public final class KubernetesPods implements PodSource {

    private static final Logger LOG = Logger.getLogger(KubernetesPods.class);
    static final int DEFAULT_REDIS_PORT = 6379;
    private static final AtomicLong EVENTS = new AtomicLong();

    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, String> selector;

    public KubernetesPods(KubernetesClient client, String namespace, Map<String, String> selector) {
        this.client = client;
        this.namespace = namespace;
        this.selector = Map.copyOf(selector);
    }

    @Override
    public PodList list() {
        List<Pod> pods = client.pods().inNamespace(namespace).withLabels(selector).list().getItems();
        Optional<String> set = pods.stream().flatMap(p -> p.getMetadata().getOwnerReferences() == null ? java.util.stream.Stream.empty()
                        : p.getMetadata().getOwnerReferences().stream())
                .filter(o -> "StatefulSet".equals(o.getKind())).map(OwnerReference::getName).findFirst();
        OptionalInt spec = OptionalInt.empty();
        OptionalInt requested = OptionalInt.empty();
        if (set.isPresent()) {
            StatefulSet s = client.apps().statefulSets().inNamespace(namespace).withName(set.get()).get();
            if (s != null) {
                if (s.getSpec() != null && s.getSpec().getReplicas() != null) {
                    spec = OptionalInt.of(s.getSpec().getReplicas());
                }
                requested = request(s);
            }
        }
        return new PodList(pods.stream().map(p -> pod(p, set)).toList(), set, spec, requested);
    }

    static OptionalInt request(StatefulSet s) {
        Map<String, String> a = s.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(REPLICAS_REQUEST);
        if (v == null) {
            return OptionalInt.empty();
        }
        try {
            int n = Integer.parseInt(v.trim());
            return n >= 0 ? OptionalInt.of(n) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            LOG.warnf("StatefulSet %s: annotation %s='%s' is not a replica count; ignored", s.getMetadata().getName(), REPLICAS_REQUEST, v);
            return OptionalInt.empty();
        }
    }

    static RedisPod pod(Pod p, Optional<String> set) {
        String name = p.getMetadata().getName();
        String ip = p.getStatus() == null ? null : p.getStatus().getPodIP();
        Optional<HostPort> address = ip == null || ip.isBlank() ? Optional.empty() : Optional.of(new HostPort(ip, redisPort(p)));
        boolean ready = p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        Optional<String> node = Optional.ofNullable(p.getSpec() == null ? null : p.getSpec().getNodeName()).filter(s -> !s.isBlank());
        return new RedisPod(name, address, RedisPod.ordinalOf(name, set), node, ready,
                p.getMetadata().getDeletionTimestamp() != null);
    }

    static int redisPort(Pod p) {
        if (p.getSpec() == null || p.getSpec().getContainers() == null) {
            return DEFAULT_REDIS_PORT;
        }
        for (Container c : p.getSpec().getContainers()) {
            for (ContainerPort port : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                if ("redis".equals(port.getName()) && port.getContainerPort() != null) {
                    return port.getContainerPort();
                }
            }
        }
        return DEFAULT_REDIS_PORT;
    }

    @Override
    public void scale(String statefulSet, int replicas) {
        client.apps().statefulSets().inNamespace(namespace).withName(statefulSet)
                .edit(s -> new StatefulSetBuilder(s).editSpec().withReplicas(replicas).endSpec().build());
    }

    @Override
    public void request(String statefulSet, int replicas) {
        client.apps().statefulSets().inNamespace(namespace).withName(statefulSet)
                .edit(s -> new StatefulSetBuilder(s).editMetadata().addToAnnotations(REPLICAS_REQUEST, Integer.toString(replicas))
                        .endMetadata().build());
    }

    @Override
    public boolean scalable() {
        return true;
    }

    @Override
    public void event(String statefulSet, boolean warning, String reason, String message) {
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC));
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withName(statefulSet + "." + Long.toHexString(System.nanoTime()) + EVENTS.incrementAndGet())
                    .withNamespace(namespace).endMetadata()
                    .withNewInvolvedObject().withApiVersion("apps/v1").withKind("StatefulSet").withName(statefulSet)
                    .withNamespace(namespace).endInvolvedObject()
                    .withType(warning ? "Warning" : "Normal").withReason(reason).withMessage(message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent("cahoots-agent").endSource().build()).create();
        } catch (KubernetesClientException e) {
            LOG.debugf("event %s not recorded: %s", reason, e.getMessage());
        }
    }

    @Override
    public String describe() {
        return "Kubernetes pods " + selector + " in namespace " + namespace;
    }
}
