package io.cahoots.agent.k8s;

import io.cahoots.agent.config.PolicySettings;
import io.cahoots.agent.config.ScalingSettings;
import io.cahoots.agent.k8s.Rendering.Resource;
import io.cahoots.agent.k8s.Rendering.Workload;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every manifest of {@code k8s/} in Fabric8's typed models (unknown fields fail), and the cross-references that
 * {@code kubectl apply} would not check: selectors, ports, volumes, files, Secrets, pod addresses, the strategy's
 * figures. The agent's own settings and permissions have their own tests ({@link AgentSidecarTest}).
 */
class ManifestsTest {

    static final Rendering KIT = Rendering.of(Rendering.K8S);
    static final Pattern POD_ADDRESS = Pattern.compile("([a-z0-9-]+)-(\\d+)\\.([a-z0-9-]+):(\\d+)");

    @Test
    void everyManifestLoadsIntoTypedModelsWithoutUnknownFields() throws IOException {
        Map<String, Long> kinds = KIT.resources.stream().collect(Collectors.groupingBy(Resource::kind, Collectors.counting()));
        assertThat(kinds).containsEntry("Deployment", 2L).containsEntry("StatefulSet", 3L).containsEntry("Job", 1L)
                .containsEntry("Service", 8L).containsEntry("PodDisruptionBudget", 5L).containsEntry("ServiceMonitor", 1L)
                .containsEntry("PrometheusRule", 1L).containsEntry("Role", 1L).containsEntry("RoleBinding", 1L)
                .containsEntry("ServiceAccount", 1L).containsEntry("Namespace", 1L).containsEntry("ConfigMap", 5L);
        assertThat(KIT.resources.stream().map(r -> r.kind() + "/" + r.name())).doesNotHaveDuplicates();
        // Every manifest file is part of the kit, except the documented alternatives.
        Set<Path> listed = KIT.resources.stream().map(r -> Path.of(r.source()).normalize()).collect(Collectors.toSet());
        try (Stream<Path> files = Files.walk(Rendering.K8S)) {
            List<Path> yamls = files.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml")
                    && !p.startsWith(Rendering.K8S.resolve("alternatives"))).map(Path::normalize).toList();
            assertThat(listed).containsAll(yamls);
        }
        assertThat(KIT.root.resources()).noneMatch(r -> r.contains("alternatives"));
    }

    @Test
    void theStrictLoaderCatchesTyposThatKubectlApplyWouldDropOrReject() throws IOException {
        Path dir = Files.createTempDirectory("k8s-typo");
        String api = Rendering.read(Rendering.K8S.resolve("api.yaml"));
        Map<String, String> typos = Map.of(
                "replicas: 4", "replicass: 4",
                "containerPort: 8000", "containerport: 8000",
                "memory: 512Mi", "memory: 512Mj",
                "  revisionHistoryLimit: 5", "  revisionHistoryLimit: 5\n  replicas: 5");
        for (Map.Entry<String, String> t : typos.entrySet()) {
            assertThat(api).contains(t.getKey());
            Path file = dir.resolve("api.yaml");
            Files.writeString(file, api.replaceFirst(Pattern.quote(t.getKey()), Matcher.quoteReplacement(t.getValue())));
            assertThatThrownBy(() -> Rendering.load(file)).as(t.getValue()).isInstanceOf(AssertionError.class);
        }
    }

    @Test
    void workloadSelectorsMatchTheirOwnPods() {
        for (Deployment d : KIT.all(Deployment.class)) {
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
        }
        for (StatefulSet s : KIT.all(StatefulSet.class)) {
            assertThat(s.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(s.getSpec().getSelector().getMatchLabels());
        }
        for (Workload w : KIT.workloads()) {
            w.template().getSpec().getTopologySpreadConstraints().forEach(c ->
                    assertThat(w.template().getMetadata().getLabels()).as(w.name()).containsAllEntriesOf(c.getLabelSelector().getMatchLabels()));
        }
    }

    /**
     * Issue 13: the agent drives the Redis restarts (OnDelete; a roll), a master stopped by anything else hands over
     * first (preStop, inside the grace period), probes fit a loaded node (liveness tolerates loading; readiness wants
     * the cluster ok), nodes spread over machines, and every tier has a disruption budget.
     */
    @Test
    void redisPodsAreRestartedByTheAgentHandOverBeforeStoppingAndEveryTierHasABudget() {
        for (String name : List.of("redis-cluster", "redis-ha")) {
            StatefulSet s = KIT.one(StatefulSet.class, name);
            assertThat(s.getSpec().getUpdateStrategy().getType()).as(name).isEqualTo("OnDelete");
            var pod = s.getSpec().getTemplate().getSpec();
            Container redis = KIT.container(name, "redis");
            assertThat(redis.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sh", "/scripts/pre-stop.sh");
            assertThat(redis.getVolumeMounts()).anySatisfy(m -> {
                assertThat(m.getName()).isEqualTo("scripts");
                assertThat(m.getMountPath()).isEqualTo("/scripts");
            });
            // The hook waits at most WAIT (20 s) for the failover; Redis then needs time to fsync and exit.
            assertThat(pod.getTerminationGracePeriodSeconds()).as(name).isGreaterThanOrEqualTo(45L);
            assertThat(redis.getLivenessProbe().getExec().getCommand()).containsExactly("sh", "/scripts/probe.sh", "live");
            assertThat(redis.getStartupProbe().getExec().getCommand()).containsExactly("sh", "/scripts/probe.sh", "live");
            assertThat(redis.getReadinessProbe().getExec().getCommand()).containsExactly("sh", "/scripts/probe.sh", "ready");
            for (Probe p : List.of(redis.getLivenessProbe(), redis.getReadinessProbe(), redis.getStartupProbe())) {
                // probe.sh gives up after 4 s: the kubelet's timeout must leave it that time.
                assertThat(p.getTimeoutSeconds()).as(name).isGreaterThanOrEqualTo(5);
            }
            // A loaded node may take many minutes to load its AOF before liveness counts.
            Probe startup = redis.getStartupProbe();
            assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).as(name).isGreaterThanOrEqualTo(15 * 60);
            var anti = pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
            assertThat(anti).singleElement().satisfies(t -> {
                assertThat(t.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
                assertThat(t.getPodAffinityTerm().getLabelSelector().getMatchLabels()).isEqualTo(s.getSpec().getSelector().getMatchLabels());
            });
        }
        Set<String> scripts = KIT.root.configMapGenerator().stream().filter(g -> g.name().equals("redis-scripts"))
                .flatMap(g -> g.files().stream()).collect(Collectors.toSet());
        assertThat(scripts).contains("redis/probe.sh", "redis/pre-stop.sh");
        assertThat(KIT.all(PodDisruptionBudget.class)).extracting(p -> p.getMetadata().getName())
                .contains("redis-cluster", "redis-ha", "cahoots-api", "cahoots-nginx");
        for (PodDisruptionBudget p : KIT.all(PodDisruptionBudget.class)) {
            assertThat(p.getSpec().getMaxUnavailable().getIntVal()).as(p.getMetadata().getName()).isEqualTo(1);
        }
        // The agent finds the Redis pods by the StatefulSet's own selector.
        assertThat(env(KIT.container("cahoots-api", "agent")).get("AGENT_KUBE_REDIS_SELECTOR"))
                .isEqualTo("app.kubernetes.io/name=redis-cluster");
    }

    @Test
    void servicesAndDisruptionBudgetsSelectPodsThatExist() {
        for (Service s : KIT.all(Service.class)) {
            assertThat(selected(s.getSpec().getSelector())).as("pods of Service %s", s.getMetadata().getName()).isNotEmpty();
        }
        for (PodDisruptionBudget p : KIT.all(PodDisruptionBudget.class)) {
            assertThat(selected(p.getSpec().getSelector().getMatchLabels())).as("pods of PDB %s", p.getMetadata().getName())
                    .singleElement().satisfies(w -> assertThat(w.name()).isEqualTo(p.getMetadata().getName()));
        }
        // The bootstrap Service of the Sentinel group selects exactly ordinal 0.
        assertThat(selected(KIT.one(Service.class, "redis-master").getSpec().getSelector())).extracting(Workload::name)
                .containsExactly("redis-ha");
        assertThat(KIT.one(Service.class, "redis-master").getSpec().getSelector())
                .containsEntry("statefulset.kubernetes.io/pod-name", "redis-ha-0");
    }

    @Test
    void servicePortsAndProbesNameContainerPortsThatExist() {
        for (Service s : KIT.all(Service.class)) {
            for (Workload w : selected(s.getSpec().getSelector())) {
                List<ContainerPort> ports = w.template().getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream()).toList();
                for (ServicePort p : s.getSpec().getPorts()) {
                    assertThat(ports).as("Service %s port %s on %s", s.getMetadata().getName(), p.getName(), w.name())
                            .anySatisfy(cp -> assertThat(matches(p.getTargetPort(), cp)).isTrue());
                }
            }
        }
        for (Workload w : KIT.workloads()) {
            for (Container c : w.template().getSpec().getContainers()) {
                for (Probe p : Stream.of(c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe()).filter(Objects::nonNull).toList()) {
                    IntOrString port = p.getHttpGet() != null ? p.getHttpGet().getPort() : p.getTcpSocket() != null ? p.getTcpSocket().getPort() : null;
                    if (port != null) {
                        assertThat(c.getPorts()).as("probe port %s of %s/%s", port, w.name(), c.getName()).anySatisfy(cp -> assertThat(matches(port, cp)).isTrue());
                    } else {
                        String command = String.join(" ", p.getExec().getCommand());
                        if (command.contains("/scripts/probe.sh")) {
                            // The script's port: PORT from the container's env, else its default.
                            String portValue = env(c).getOrDefault("PORT", Rendering.read(Rendering.K8S.resolve("redis/probe.sh"))
                                    .lines().filter(l -> l.startsWith("PORT=")).findFirst().orElseThrow().replaceAll("\\D", ""));
                            assertThat(Integer.parseInt(portValue)).as("probe.sh port of %s/%s", w.name(), c.getName())
                                    .isEqualTo(c.getPorts().get(0).getContainerPort());
                        } else {
                            assertThat(command).as("exec probe of %s/%s", w.name(), c.getName())
                                    .contains("-p " + c.getPorts().get(0).getContainerPort());
                        }
                    }
                }
            }
        }
    }

    @Test
    void statefulSetsHaveHeadlessServicesThatPublishTheirPodsEarly() {
        for (StatefulSet s : KIT.all(StatefulSet.class)) {
            Service svc = KIT.one(Service.class, s.getSpec().getServiceName());
            assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
            assertThat(svc.getSpec().getPublishNotReadyAddresses()).as("%s: peers must find each other before ready", svc.getMetadata().getName()).isTrue();
            assertThat(selected(svc.getSpec().getSelector())).extracting(Workload::name).containsExactly(s.getMetadata().getName());
        }
    }

    @Test
    void volumesConfigMapsScriptsAndSecretsResolve() {
        Set<String> configMaps = KIT.all(ConfigMap.class).stream().map(c -> c.getMetadata().getName()).collect(Collectors.toSet());
        Set<String> secretKeys = new TreeSet<>();
        for (Workload w : KIT.workloads()) {
            PodSpec pod = w.template().getSpec();
            Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
            for (Container c : Stream.concat(pod.getContainers().stream(), pod.getInitContainers().stream()).toList()) {
                Map<String, ConfigMap> mounted = new java.util.HashMap<>();
                for (VolumeMount m : c.getVolumeMounts()) {
                    if (w.claims().contains(m.getName())) {
                        continue; // a StatefulSet's volume claim template
                    }
                    Volume v = volumes.get(m.getName());
                    assertThat(v).as("volume %s of %s/%s", m.getName(), w.name(), c.getName()).isNotNull();
                    if (v.getConfigMap() != null) {
                        assertThat(configMaps).as("ConfigMap of volume %s in %s", v.getName(), w.name()).contains(v.getConfigMap().getName());
                        mounted.put(m.getMountPath(), KIT.one(ConfigMap.class, v.getConfigMap().getName()));
                    }
                }
                // Files named by commands, arguments and path-valued variables exist in the mounted ConfigMaps.
                List<String> words = new ArrayList<>(c.getCommand());
                words.addAll(c.getArgs());
                c.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> words.add(e.getValue()));
                for (String word : words) {
                    mounted.forEach((path, cm) -> {
                        if (word.startsWith(path + "/")) {
                            assertThat(cm.getData()).as("%s in %s (%s/%s)", word, cm.getMetadata().getName(), w.name(), c.getName())
                                    .containsKey(word.substring(path.length() + 1));
                        }
                    });
                }
                for (EnvVar e : c.getEnv()) {
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        var ref = e.getValueFrom().getSecretKeyRef();
                        secretKeys.add(ref.getName() + "/" + ref.getKey() + (Boolean.TRUE.equals(ref.getOptional()) ? " (optional)" : ""));
                    }
                }
            }
            for (Volume v : pod.getVolumes()) {
                if (v.getProjected() != null) {
                    v.getProjected().getSources().stream().filter(s -> s.getConfigMap() != null)
                            .forEach(s -> assertThat(s.getConfigMap().getName()).isEqualTo("kube-root-ca.crt")); // every namespace has it
                }
            }
        }
        // Exactly the Secrets docs/deployment.md tells operators to create: one per role (KitCredentialsTest).
        assertThat(secretKeys).containsExactly("cahoots-agent/admin-token (optional)", "cahoots-redis-admin/password",
                "cahoots-redis-agent/password", "cahoots-redis-app/password", "cahoots-redis-replication/password",
                "cahoots-sentinel/password");
    }

    @Test
    void theRedisConfigMapsAreTheFilesOperatorsRead() {
        assertThat(KIT.one(ConfigMap.class, "redis-cluster-config").getData())
                .containsExactly(Map.entry("redis-cluster.conf", Rendering.read(RedisConf.CLUSTER)),
                        Map.entry("users.acl", Rendering.read(KitSecrets.USERS_ACL)));
        assertThat(KIT.one(ConfigMap.class, "redis-sentinel-config").getData())
                .containsExactly(Map.entry("sentinel.conf", Rendering.read(RedisConf.SENTINEL)));
        assertThat(KIT.one(ConfigMap.class, "cahoots-grafana-dashboard").getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    }

    @Test
    void redisAddressesNameRealPodsAndPorts() {
        RedisConf sentinel = RedisConf.read(RedisConf.SENTINEL);
        List<String> monitor = sentinel.get("sentinel", "monitor").orElseThrow();
        String masterName = monitor.get(0);
        String bootstrap = monitor.get(1) + ":" + monitor.get(2);

        Map<String, String> job = env(KIT.container("redis-cluster-create", "create"));
        assertThat(words(job.get("NODES"))).containsExactlyInAnyOrderElementsOf(allPods("redis-cluster", "redis"));
        for (String c : List.of("redis", "prepare")) {
            String workload = c.equals("redis") ? "redis-ha" : "redis-sentinel";
            Map<String, String> e = env(KIT.container(workload, c));
            assertThat(words(e.get("SENTINELS"))).containsExactlyInAnyOrderElementsOf(allPods("redis-sentinel", "sentinel"));
            assertThat(e.get("MASTER_NAME")).isEqualTo(masterName);
            assertThat(e.get("ANNOUNCE_HOST")).isEqualTo("$(POD_NAME)." + KIT.workload(workload).serviceName().orElseThrow() + ".$(POD_NAMESPACE).svc");
        }
        Map<String, String> ha = env(KIT.container("redis-ha", "redis"));
        assertThat(ha.get("BOOTSTRAP_MASTER")).isEqualTo(bootstrap);
        Service master = KIT.one(Service.class, monitor.get(1));
        assertThat(master.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(Integer.parseInt(monitor.get(2)));
        assertThat(ha.get("PORT")).isEqualTo(monitor.get(2));
        for (String address : env(KIT.container("cahoots-api", "agent")).get("AGENT_CLUSTER_NODES").split(",")) {
            assertThat(allPods("redis-cluster", "redis")).contains(address);
        }
        for (String address : env(KIT.container("cahoots-api", "agent")).get("AGENT_SENTINEL_NODES").split(",")) {
            assertThat(allPods("redis-sentinel", "sentinel")).contains(address);
        }
        assertThat(env(KIT.container("cahoots-api", "agent")).get("AGENT_SENTINEL_MASTERS")).isEqualTo(masterName);
    }

    @Test
    void theStrategysFiguresAreKept() {
        Deployment api = KIT.one(Deployment.class, "cahoots-api");
        assertThat(api.getSpec().getReplicas()).isEqualTo(4);
        Container c = KIT.container("cahoots-api", "api");
        assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("500m")).containsEntry("memory", new Quantity("512Mi"));
        assertThat(c.getResources().getLimits()).containsEntry("cpu", new Quantity("1000m")).containsEntry("memory", new Quantity("1Gi"));
        assertThat(c.getPorts()).extracting(ContainerPort::getContainerPort).containsExactly(8000);
        assertThat(KIT.workload("redis-cluster").replicas()).isEqualTo(6);
        assertThat(KIT.workload("redis-ha").replicas()).isEqualTo(2);
        assertThat(KIT.workload("redis-sentinel").replicas()).isEqualTo(3);

        RedisConf cluster = RedisConf.read(RedisConf.CLUSTER);
        assertThat(cluster.value("port")).isEqualTo("6379");
        assertThat(cluster.value("cluster-enabled")).isEqualTo("yes");
        assertThat(cluster.value("cluster-config-file")).isEqualTo("nodes.conf");
        assertThat(cluster.value("cluster-node-timeout")).isEqualTo("5000");
        assertThat(cluster.value("appendonly")).isEqualTo("yes");
        assertThat(cluster.value("maxmemory")).isEqualTo("2gb");
        assertThat(cluster.value("maxmemory-policy")).isEqualTo("allkeys-lru");
        RedisConf sentinel = RedisConf.read(RedisConf.SENTINEL);
        assertThat(sentinel.value("sentinel", "monitor")).isEqualTo("mymaster redis-master 6379 2");
        assertThat(sentinel.value("sentinel", "down-after-milliseconds")).isEqualTo("mymaster 5000");
        assertThat(sentinel.value("sentinel", "failover-timeout")).isEqualTo("mymaster 60000");
        assertThat(sentinel.value("sentinel", "parallel-syncs")).isEqualTo("mymaster 1");

        // Redis' memory: at least maxmemory requested, and room above it for fragmentation, buffers and the
        // copy-on-write of an AOF rewrite before the kernel kills the node.
        long maxmemory = PolicySettings.parseMemory(cluster.value("maxmemory"));
        for (String w : List.of("redis-cluster", "redis-ha")) {
            Container redis = KIT.container(w, "redis");
            assertThat(bytes(redis.getResources().getRequests().get("memory"))).as(w).isGreaterThanOrEqualTo(maxmemory);
            assertThat(bytes(redis.getResources().getLimits().get("memory"))).as(w).isGreaterThanOrEqualTo(maxmemory * 3 / 2);
            assertThat(redis.getWorkingDir()).as("%s: redis-cluster.conf has no dir line, the data volume is the working dir", w)
                    .isEqualTo(redis.getVolumeMounts().stream().filter(m -> m.getName().equals("data")).findFirst().orElseThrow().getMountPath());
        }
        StatefulSet rc = KIT.one(StatefulSet.class, "redis-cluster");
        assertThat(rc.getSpec().getVolumeClaimTemplates()).singleElement()
                .satisfies(p -> assertThat(p.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("50Gi")));
        assertThat(KIT.container("redis-cluster", "redis").getPorts()).extracting(ContainerPort::getContainerPort)
                .containsExactly(6379, 6379 + 10000);
    }

    @Test
    void theHpaIsADocumentedAlternativeNeverPartOfTheKit() {
        List<Resource> alt = Rendering.load(Rendering.K8S.resolve("alternatives/hpa.yaml"));
        assertThat(alt).singleElement().satisfies(r -> assertThat(r.kind()).isEqualTo("HorizontalPodAutoscaler"));
        HorizontalPodAutoscaler hpa = (HorizontalPodAutoscaler) alt.get(0).model();
        assertThat(KIT.all(HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("cahoots-api");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        ScalingSettings defaults = ScalingSettings.from(Contract.mapping(io.cahoots.agent.config.ScalingConfig.class, Map.of()));
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(defaults.minReplicas());
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(defaults.maxReplicas());
        assertThat(hpa.getSpec().getMetrics()).extracting(m -> m.getContainerResource().getName() + "="
                        + m.getContainerResource().getTarget().getAverageUtilization() + "@" + m.getContainerResource().getContainer())
                .containsExactly("cpu=" + (int) defaults.cpuPercent() + "@api", "memory=" + (int) defaults.memoryPercent() + "@api");
        assertThat(Rendering.read(Rendering.K8S.resolve("alternatives/hpa.yaml"))).contains("NOT IN k8s/kustomization.yaml");
    }

    @Test
    void everyObjectLivesInTheKitsNamespaceAndTheAgentsIdentityIsBound() {
        String ns = KIT.root.namespace();
        assertThat(KIT.resources).filteredOn(r -> !r.kind().equals("Namespace"))
                .allSatisfy(r -> assertThat(r.metadata().getNamespace()).isEqualTo(ns));
        assertThat(KIT.resources).filteredOn(r -> r.kind().equals("Namespace")).singleElement()
                .satisfies(r -> assertThat(r.name()).isEqualTo(ns));
        String sa = KIT.workload("cahoots-api").template().getSpec().getServiceAccountName();
        assertThat(KIT.all(ServiceAccount.class)).extracting(s -> s.getMetadata().getName()).containsExactly(sa);
        RoleBinding rb = KIT.all(RoleBinding.class).get(0);
        assertThat(rb.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(sa);
            assertThat(s.getNamespace()).isEqualTo(ns);
        });
        assertThat(rb.getRoleRef().getName()).isEqualTo(KIT.all(io.fabric8.kubernetes.api.model.rbac.Role.class).get(0).getMetadata().getName());
        // Nothing else may use the agent's identity, and no other pod gets a token it does not need.
        for (Workload w : KIT.workloads()) {
            if (!w.name().equals("cahoots-api")) {
                assertThat(w.template().getSpec().getServiceAccountName()).as(w.name()).isNull();
            }
        }
    }

    @Test
    void nginxBalancesOverTheApiPodsAsTheStrategySays() {
        String conf = Rendering.read(Rendering.K8S.resolve("nginx/nginx.conf"));
        String upstream = block(conf, "upstream api_servers");
        assertThat(directives(upstream)).contains("least_conn", "keepalive 32", "zone api_servers 64k");
        Matcher server = Pattern.compile("server ([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local:(\\d+) resolve").matcher(upstream);
        assertThat(server.find()).as(upstream).isTrue();
        assertThat(server.group(2)).isEqualTo(KIT.root.namespace());
        Service pods = KIT.one(Service.class, server.group(1));
        assertThat(pods.getSpec().getClusterIP()).as("nginx must see every pod, not one ClusterIP").isEqualTo("None");
        assertThat(selected(pods.getSpec().getSelector())).extracting(Workload::name).containsExactly("cahoots-api");
        assertThat(pods.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(Integer.parseInt(server.group(3)));
        assertThat(Integer.parseInt(server.group(3))).isEqualTo(KIT.container("cahoots-api", "api").getPorts().get(0).getContainerPort());
        String location = block(conf, "location /");
        assertThat(directives(location)).contains("proxy_pass http://api_servers", "proxy_http_version 1.1", "proxy_set_header Connection \"\"");
        assertThat(conf).containsPattern("resolver \\S+ valid=");
        assertThat(conf.chars().filter(ch -> ch == '{').count()).isEqualTo(conf.chars().filter(ch -> ch == '}').count());
        Container nginx = KIT.container("cahoots-nginx", "nginx");
        assertThat(nginx.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(conf).contains("location = /healthz");
        // "resolve" on an upstream server needs nginx 1.27.3 or later.
        Matcher tag = Pattern.compile("nginx(?:inc/nginx-unprivileged)?:(\\d+)\\.(\\d+)\\.(\\d+)").matcher(nginx.getImage());
        assertThat(tag.matches()).isTrue();
        int version = Integer.parseInt(tag.group(1)) * 10000 + Integer.parseInt(tag.group(2)) * 100 + Integer.parseInt(tag.group(3));
        assertThat(version).isGreaterThanOrEqualTo(12703);
        assertThat(nginx.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/nginx/nginx.conf"));
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** Workloads whose pod labels include {@code selector}; a StatefulSet's pods also carry their pod-name label. */
    static List<Workload> selected(Map<String, String> selector) {
        List<Workload> out = new ArrayList<>();
        for (Workload w : KIT.workloads()) {
            Map<String, String> labels = new java.util.HashMap<>(w.template().getMetadata().getLabels());
            String podName = selector.get("statefulset.kubernetes.io/pod-name");
            if (podName != null && w.kind().equals("StatefulSet") && podName.startsWith(w.name() + "-")
                    && Integer.parseInt(podName.substring(w.name().length() + 1)) < w.replicas()) {
                labels.put("statefulset.kubernetes.io/pod-name", podName);
            }
            if (labels.entrySet().containsAll(selector.entrySet())) {
                out.add(w);
            }
        }
        return out;
    }

    static List<Workload> selected(LabelSelector selector) {
        return selected(selector.getMatchLabels());
    }

    static boolean matches(IntOrString target, ContainerPort port) {
        return target.getIntVal() != null ? target.getIntVal().equals(port.getContainerPort()) : target.getStrVal().equals(port.getName());
    }

    static Map<String, String> env(Container c) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            assertThat(out).as("%s: %s twice", c.getName(), e.getName()).doesNotContainKey(e.getName());
            out.put(e.getName(), e.getValue());
        }
        return out;
    }

    /** {@code <sts>-<i>.<service>:<port>} for every pod of a StatefulSet, the port being its container port {@code portName}. */
    static List<String> allPods(String statefulSet, String portName) {
        Workload w = KIT.workload(statefulSet);
        int port = w.template().getSpec().getContainers().get(0).getPorts().stream().filter(p -> p.getName().equals(portName))
                .findFirst().orElseThrow().getContainerPort();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < w.replicas(); i++) {
            out.add(statefulSet + "-" + i + "." + w.serviceName().orElseThrow() + ":" + port);
        }
        return out;
    }

    static List<String> words(String s) {
        return List.of(s.trim().split("\\s+"));
    }

    static long bytes(Quantity q) {
        return Quantity.getAmountInBytes(q).longValueExact();
    }

    /** The text between the braces of the block that starts with {@code head}. */
    static String block(String conf, String head) {
        int start = conf.indexOf(head + " {");
        assertThat(start).as("block '%s'", head).isNotNegative();
        int depth = 0;
        for (int i = conf.indexOf('{', start); i < conf.length(); i++) {
            depth += conf.charAt(i) == '{' ? 1 : conf.charAt(i) == '}' ? -1 : 0;
            if (depth == 0) {
                return conf.substring(conf.indexOf('{', start) + 1, i);
            }
        }
        throw new AssertionError("unclosed block " + head);
    }

    /** Directives of a block, comments dropped, whitespace normalised, without the trailing ';'. */
    static Set<String> directives(String block) {
        Set<String> out = new HashSet<>();
        for (String line : block.split("\n")) {
            String t = line.replaceAll("#.*", "").trim().replaceAll("\\s+", " ");
            if (t.endsWith(";")) {
                out.add(t.substring(0, t.length() - 1));
            }
        }
        return out;
    }
}
