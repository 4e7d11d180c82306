package io.cahoots.agent.k8s;

import io.cahoots.agent.bench.LargeClusterBench;
import io.cahoots.agent.config.AgentConfig;
import io.cahoots.agent.config.PolicyConfig;
import io.cahoots.agent.config.PolicySettings;
import io.cahoots.agent.config.PushConfig;
import io.cahoots.agent.config.PushSettings;
import io.cahoots.agent.config.ScalingConfig;
import io.cahoots.agent.config.ScalingSettings;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.scaling.MockKubernetes;
import io.cahoots.agent.scaling.MutableClock;
import io.cahoots.agent.scaling.kube.KubernetesLease;
import io.cahoots.agent.scaling.kube.KubernetesTarget;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent sidecar of {@code k8s/api.yaml} against the agent's own code: its environment is the config mapping and
 * passes the agent's validation, its container matches the image recipe, it alone holds the service account token,
 * and the rendered Role grants exactly the Kubernetes calls the scaling code makes.
 */
class AgentSidecarTest {

    static final Rendering KIT = ManifestsTest.KIT;
    static final Container AGENT = KIT.container("cahoots-api", "agent");
    /** Variables of the image (Dockerfile.jvm, run-java.sh), not of the agent. */
    static final Set<String> IMAGE_VARIABLES = Set.of("JAVA_OPTS_APPEND");

    @Test
    void everyAgentVariableIsASettingOfTheAgent() {
        Map<String, String> settings = Contract.environment();
        assertThat(Contract.mappings()).extracting(Class::getSimpleName)
                .contains("AgentConfig", "ScalingConfig", "PushConfig", "PolicyConfig");
        assertThat(settings).containsKeys("AGENT_CLUSTER_NODES", "AGENT_SCALING_PROMETHEUS_URL", "AGENT_POLICY_MAXMEMORY_POLICY");
        for (EnvVar e : AGENT.getEnv()) {
            if (!IMAGE_VARIABLES.contains(e.getName())) {
                assertThat(settings).as("%s is not a setting of the agent (a typo is silently ignored)", e.getName())
                        .containsKey(e.getName());
            }
        }
        assertThat(KIT.container("cahoots-api", "api").getEnv()).noneMatch(e -> e.getName().startsWith("AGENT_"));
    }

    @Test
    void theManifestsValuesPassTheAgentsOwnValidation() {
        Map<String, String> env = agentEnvironment("0123456789abcdef0123456789abcdef");
        Settings core = Settings.from(Contract.mapping(AgentConfig.class, env));
        ScalingSettings scaling = ScalingSettings.from(Contract.mapping(ScalingConfig.class, env));
        PushSettings push = PushSettings.from(Contract.mapping(PushConfig.class, env));
        PolicySettings policy = PolicySettings.from(Contract.mapping(PolicyConfig.class, env));

        assertThat(core.clusterNodes()).hasSize(3);
        assertThat(core.sentinelNodes()).hasSize(3);
        assertThat(core.adminToken()).isPresent();
        assertThat(core.redisCredentials().password()).isPresent();
        assertThat(core.sentinelCredentials().password()).isPresent();
        assertThat(push.webhooks()).isEmpty();
        // The agent scales the Deployment it runs in, in its own namespace (where the Role and the Lease are).
        assertThat(scaling.enabled()).isTrue();
        assertThat(scaling.deployment()).isEqualTo("cahoots-api");
        assertThat(scaling.namespace()).isEmpty();
        assertThat(scaling.prometheusUrl()).isPresent();
        // The policy the agent enforces is the one the Redis nodes are started with.
        RedisConf conf = RedisConf.read(RedisConf.CLUSTER);
        assertThat(policy.maxmemoryBytes()).isEqualTo(PolicySettings.parseMemory(conf.value("maxmemory")));
        assertThat(policy.maxmemoryPolicy()).isEqualTo(conf.value("maxmemory-policy"));
        assertThat(policy.ttlPatterns()).extracting(PolicySettings.TtlPattern::pattern)
                .containsExactly("api:rate_limit:*", "api:cache:*", "user:session:*");
        assertThat(policy.enforce()).isFalse();
    }

    /** The agent's variables as the pod gets them, Secrets replaced by {@code secret}. */
    static Map<String, String> agentEnvironment(String secret) {
        Map<String, String> env = new HashMap<>();
        for (EnvVar e : AGENT.getEnv()) {
            if (IMAGE_VARIABLES.contains(e.getName())) {
                continue;
            }
            env.put(e.getName(), e.getValue() != null ? e.getValue() : secret);
        }
        return env;
    }

    @Test
    void theContainerIsTheImageAsBuilt() {
        Dockerfile image = Dockerfile.read();
        // The default base is what users pull; scripts/docker-up.sh passes a local one as a build argument.
        assertThat(image.from()).startsWith("registry.access.redhat.com/ubi9/openjdk-17-runtime:");
        String version = Pattern.compile("<artifactId>cahoots-agent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Rendering.read(Path.of("pom.xml"))).results().findFirst().orElseThrow().group(1);
        assertThat(AGENT.getImage()).isEqualTo("cahoots-agent:" + version.replace("-SNAPSHOT", ""));
        int port = AGENT.getPorts().get(0).getContainerPort();
        assertThat(image.expose()).containsExactly(Integer.toString(port));
        assertThat(AGENT.getEnv()).noneMatch(e -> e.getName().equals("QUARKUS_HTTP_PORT")); // 8080, Quarkus' default
        assertThat(port).isEqualTo(8080);
        assertThat(AGENT.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
        assertThat(AGENT.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(AGENT.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        String metricsPath = Rendering.read(Path.of("src/main/resources/application.properties")).lines()
                .filter(l -> l.startsWith("quarkus.micrometer.export.prometheus.path=")).findFirst().orElseThrow().split("=")[1];
        assertThat(KIT.all(Monitoring.ServiceMonitor.class).get(0).spec().endpoints()).extracting(Monitoring.Endpoint::path)
                .containsOnly(metricsPath);

        // JAVA_OPTS_APPEND replaces the image's value: it must repeat every option of it.
        String opts = ManifestsTest.env(AGENT).get("JAVA_OPTS_APPEND");
        assertThat(List.of(opts.split("\\s+"))).containsAll(List.of(image.env().get("JAVA_OPTS_APPEND").split("\\s+")));
        // The large-cluster benchmark measures what the kit deploys (README, Large clusters).
        assertThat(List.of(opts.split("\\s+"))).containsAll(List.of(LargeClusterBench.KIT_JAVA_OPTS.split(" ")));
        Matcher xmx = Pattern.compile("-Xmx(\\d+)m").matcher(opts);
        assertThat(xmx.find()).isTrue();
        long heap = Long.parseLong(xmx.group(1)) << 20;
        long limit = Quantity.getAmountInBytes(AGENT.getResources().getLimits().get("memory")).longValueExact();
        assertThat(heap).as("heap against the container limit: the JVM's metaspace, threads and buffers need the rest")
                .isLessThanOrEqualTo(limit / 3);
        assertThat(AGENT.getResources().getRequests()).containsKeys("cpu", "memory");

        // Read-only root: Quarkus and the JVM only write to /tmp, which is an emptyDir.
        assertThat(AGENT.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(AGENT.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(image.user()).isEqualTo("185");
    }

    @Test
    void onlyTheAgentContainerHoldsTheServiceAccountToken() {
        PodSpec pod = KIT.workload("cahoots-api").template().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        String tokenDir = "/var/run/secrets/kubernetes.io/serviceaccount";
        assertThat(KIT.container("cahoots-api", "api").getVolumeMounts()).noneMatch(m -> m.getMountPath().startsWith("/var/run/secrets"));
        String volume = AGENT.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(tokenDir)).findFirst().orElseThrow().getName();
        Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(volume)).findFirst().orElseThrow();
        List<VolumeProjection> sources = v.getProjected().getSources();
        // What Fabric8's in-cluster configuration reads: token, ca.crt, namespace.
        assertThat(sources).filteredOn(s -> s.getServiceAccountToken() != null).singleElement()
                .satisfies(s -> assertThat(s.getServiceAccountToken().getPath()).isEqualTo("token"));
        assertThat(sources).filteredOn(s -> s.getConfigMap() != null).singleElement()
                .satisfies(s -> assertThat(s.getConfigMap().getItems().get(0).getPath()).isEqualTo("ca.crt"));
        assertThat(sources).filteredOn(s -> s.getDownwardAPI() != null).singleElement().satisfies(s -> {
            assertThat(s.getDownwardAPI().getItems().get(0).getPath()).isEqualTo("namespace");
            assertThat(s.getDownwardAPI().getItems().get(0).getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
        });
    }

    static final Pattern API_PATH = Pattern.compile(
            "/api(?:s/(?<group>[^/]+))?/[^/]+/namespaces/(?<ns>[^/]+)/(?<resource>[^/?]+)(/(?<name>[^/?]+))?(/(?<sub>[^/?]+))?(\\?.*)?");

    /**
     * Runs the scaling actuator's calls (read, scale, lead, renew) against Fabric8's mock API server, turns each request
     * into the RBAC permission it needs, and compares them with the Role as rendered by the kit: nothing missing (the
     * agent would be refused) and nothing extra (least privilege).
     */
    @Test
    void theRenderedRoleGrantsExactlyTheCallsTheScalingCodeMakes() throws Exception {
        String ns = KIT.root.namespace();
        Set<String> used = new TreeSet<>();
        try (MockKubernetes kube = new MockKubernetes()) {
            kube.deployment(ns, "cahoots-api", 4);
            kube.server().takeRequest(1, TimeUnit.SECONDS); // the fixture's own create
            kube.client().pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName("redis-cluster-0").addToLabels("app.kubernetes.io/name", "redis-cluster")
                    .endMetadata().withNewStatus().withPodIP("10.0.0.1").endStatus().build()).create();
            kube.server().takeRequest(1, TimeUnit.SECONDS); // the fixture's own create
            // The Redis pods' StatefulSet and a pod it owns, for the pods supervisor below.
            kube.client().apps().statefulSets().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder()
                    .withNewMetadata().withName("redis-cluster").endMetadata().withNewSpec().withReplicas(6).endSpec().build()).create();
            kube.client().pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName("redis-cluster-1").addToLabels("app.kubernetes.io/name", "redis-cluster")
                    .addNewOwnerReference().withKind("StatefulSet").withName("redis-cluster").withApiVersion("apps/v1")
                    .withUid("u").endOwnerReference().endMetadata().withNewStatus().withPodIP("10.0.0.2").endStatus().build()).create();
            kube.server().takeRequest(1, TimeUnit.SECONDS); // the fixture's own creates
            kube.server().takeRequest(1, TimeUnit.SECONDS);
            MutableClock clock = new MutableClock(Instant.parse("2026-01-05T10:00:00Z"));
            KubernetesTarget target = new KubernetesTarget(kube.client(), ns, "cahoots-api");
            KubernetesLease lease = new KubernetesLease(kube.client(), ns, "cahoots-scaling-cahoots-api", "a", Duration.ofSeconds(15), clock);
            lease.lead();
            clock.advance(Duration.ofSeconds(5));
            lease.lead();
            target.read();
            target.scale(4, 6);
            lease.release();
            // A roll's pod restart with the kit's selector: find, delete, follow (nothing recreates it: it times out).
            String selector = ManifestsTest.env(KIT.container("cahoots-api", "agent")).get("AGENT_KUBE_REDIS_SELECTOR");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new io.cahoots.agent.kube.KubernetesPodRestarter(
                    kube.client(), ns, selector).restart(new io.cahoots.agent.cluster.HostPort("10.0.0.1", 6379), Duration.ofSeconds(1)))
                    .isInstanceOf(io.cahoots.agent.executor.NodeRestartException.class).hasMessageContaining("not Ready again");
            // The pods supervisor with the kit's selector: list the pods and their StatefulSet, scale it, an Event.
            java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();
            for (String kv : selector.split(",")) {
                labels.put(kv.split("=", 2)[0].trim(), kv.split("=", 2)[1].trim());
            }
            io.cahoots.agent.kube.KubernetesPods redisPods = new io.cahoots.agent.kube.KubernetesPods(kube.client(), ns, labels);
            assertThat(redisPods.list().statefulSet()).contains("redis-cluster");
            redisPods.scale("redis-cluster", 8);
            redisPods.event("redis-cluster", true, "ScaleDownHeld", "held until drained");
            RecordedRequest r;
            while ((r = kube.server().takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
                Matcher m = API_PATH.matcher(r.getPath());
                assertThat(m.matches()).as("an API path: %s", r.getPath()).isTrue();
                assertThat(m.group("ns")).isEqualTo(ns);
                String resource = m.group("resource") + (m.group("sub") == null ? "" : "/" + m.group("sub"));
                String verb = switch (r.getMethod()) {
                    case "GET" -> m.group("name") == null ? "list" : "get";
                    case "POST" -> "create";
                    case "PUT" -> "update";
                    case "PATCH" -> "patch";
                    case "DELETE" -> "delete";
                    default -> r.getMethod().toLowerCase();
                };
                used.add((m.group("group") == null ? "" : m.group("group")) + " " + resource + " " + verb);
            }
        }
        Set<String> granted = new TreeSet<>();
        Role role = KIT.all(Role.class).get(0);
        assertThat(role.getMetadata().getNamespace()).isEqualTo(ns);
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getResourceNames()).as("a rule limited by name would not cover the Lease's creation").isEmpty();
            for (String g : rule.getApiGroups()) {
                for (String res : rule.getResources()) {
                    for (String v : rule.getVerbs()) {
                        granted.add(g + " " + res + " " + v);
                    }
                }
            }
        }
        assertThat(used).contains("apps deployments/scale patch", "coordination.k8s.io leases create",
                "apps statefulsets patch", " events create");
        assertThat(granted).isEqualTo(used);
    }
}
