package io.cahoots.agent.scaling.kube;

import io.cahoots.agent.kube.KubernetesPodRestarter;
import io.cahoots.agent.scaling.MockKubernetes;
import io.cahoots.agent.scaling.MutableClock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k8s/agent-rbac.yaml} grants exactly the calls the supervisor makes: every request the adapters send to the
 * (mock) API server is turned into its RBAC (group, resource, verb) and compared with the Role's rules.
 */
class RbacTest {

    static final Pattern PATH = Pattern.compile(
            "/api(?:s/(?<group>[^/]+))?/[^/]+/namespaces/[^/]+/(?<resource>[^/?]+)(/(?<name>[^/?]+))?(/(?<sub>[^/?]+))?(\\?.*)?");

    @Test
    void theRoleGrantsExactlyWhatTheAgentCalls() throws Exception {
        Set<String> used = new TreeSet<>();
        try (MockKubernetes kube = new MockKubernetes()) {
            kube.deployment("cahoots", "cahoots-api", 2);
            kube.server().takeRequest(1, TimeUnit.SECONDS); // the fixture's own create
            kube.client().pods().inNamespace("cahoots").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName("redis-cluster-0").addToLabels("app.kubernetes.io/name", "redis-cluster")
                    .endMetadata().withNewStatus().withPodIP("10.0.0.1").endStatus().build()).create();
            kube.server().takeRequest(1, TimeUnit.SECONDS); // the fixture's own create
            // The Redis pods' StatefulSet and a pod it owns, for the pods supervisor below.
            kube.client().apps().statefulSets().inNamespace("cahoots").resource(new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder()
                    .withNewMetadata().withName("redis-cluster").endMetadata().withNewSpec().withReplicas(6).endSpec().build()).create();
            kube.client().pods().inNamespace("cahoots").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName("redis-cluster-1").addToLabels("app.kubernetes.io/name", "redis-cluster")
                    .addNewOwnerReference().withKind("StatefulSet").withName("redis-cluster").withApiVersion("apps/v1")
                    .withUid("u").endOwnerReference().endMetadata().withNewStatus().withPodIP("10.0.0.2").endStatus().build()).create();
            kube.server().takeRequest(1, TimeUnit.SECONDS); // the fixture's own creates
            kube.server().takeRequest(1, TimeUnit.SECONDS);
            MutableClock clock = new MutableClock(Instant.parse("2026-01-05T10:00:00Z"));
            KubernetesTarget target = new KubernetesTarget(kube.client(), "cahoots", "cahoots-api");
            KubernetesLease lease = new KubernetesLease(kube.client(), "cahoots", "cahoots-scaling-cahoots-api", "a",
                    Duration.ofSeconds(15), clock);
            lease.lead();
            clock.advance(Duration.ofSeconds(5));
            lease.lead();
            target.read();
            target.scale(2, 4);
            // A roll's pod restart: find the pod by IP, delete it, follow it (the mock recreates nothing: it times out).
            KubernetesPodRestarter pods = new KubernetesPodRestarter(kube.client(), "cahoots", "app.kubernetes.io/name=redis-cluster");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> pods.restart(new io.cahoots.agent.cluster.HostPort("10.0.0.1", 6379),
                    Duration.ofSeconds(1))).isInstanceOf(io.cahoots.agent.executor.NodeRestartException.class);
            // The Redis pods supervisor: list the pods and their StatefulSet, scale it after a drain, say why in an Event.
            io.cahoots.agent.kube.KubernetesPods redisPods = new io.cahoots.agent.kube.KubernetesPods(kube.client(), "cahoots",
                    java.util.Map.of("app.kubernetes.io/name", "redis-cluster"));
            redisPods.list();
            redisPods.scale("redis-cluster", 8);
            redisPods.request("redis-cluster", 8); // the shard autoscaler's request: the same patch
            redisPods.event("redis-cluster", true, "ScaleDownHeld", "held until drained");
            RecordedRequest r;
            while ((r = kube.server().takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
                used.add(permission(r));
            }
        }
        assertThat(used).containsExactly(
                " events create",
                " pods delete",
                " pods get",
                " pods list",
                "apps deployments get",
                "apps deployments/scale patch",
                "apps statefulsets get",
                "apps statefulsets patch",
                "autoscaling horizontalpodautoscalers list",
                "coordination.k8s.io leases create",
                "coordination.k8s.io leases get",
                "coordination.k8s.io leases update");
        assertThat(granted()).isEqualTo(used);
    }

    static String permission(RecordedRequest r) {
        Matcher m = PATH.matcher(r.getPath());
        assertThat(m.matches()).as("an API path: %s", r.getPath()).isTrue();
        String resource = m.group("resource") + (m.group("sub") == null ? "" : "/" + m.group("sub"));
        String verb = switch (r.getMethod()) {
            case "GET" -> m.group("name") == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> r.getMethod();
        };
        return (m.group("group") == null ? "" : m.group("group")) + " " + resource + " " + verb;
    }

    static Set<String> granted() throws Exception {
        Set<String> out = new TreeSet<>();
        try (MockKubernetes kube = new MockKubernetes(); InputStream yaml = Files.newInputStream(Path.of("k8s/agent-rbac.yaml"))) {
            List<HasMetadata> items = kube.client().load(yaml).items();
            assertThat(items).extracting(HasMetadata::getKind).containsExactly("ServiceAccount", "Role", "RoleBinding");
            Role role = (Role) items.get(1);
            RoleBinding binding = (RoleBinding) items.get(2);
            assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
            assertThat(binding.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("cahoots-agent"));
            for (PolicyRule rule : role.getRules()) {
                for (String g : rule.getApiGroups()) {
                    for (String res : rule.getResources()) {
                        for (String v : rule.getVerbs()) {
                            out.add(g + " " + res + " " + v);
                        }
                    }
                }
            }
        }
        return out;
    }
}
