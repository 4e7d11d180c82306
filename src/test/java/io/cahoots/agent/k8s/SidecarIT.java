package io.cahoots.agent.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.InfoReply;
import io.cahoots.agent.testing.AgentProcess;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The deployment walkthrough, minus Kubernetes: every container of the kit that a running sidecar depends on is started
 * from its manifest ({@link KitProcesses}), and the packaged agent runs as the image would run it.
 * <ol>
 *   <li>Six nodes with {@code redis-cluster.conf} and the StatefulSet's arguments; the create Job's script forms the
 *       cluster, and a second run of it changes nothing.</li>
 *   <li>The Sentinel group: both data pods through {@code start-ha-node.sh}, three Sentinels through
 *       {@code prepare-sentinel.sh} from a copy of {@code sentinel.conf} pointed at loopback; they find each other.</li>
 *   <li>The agent from the Dockerfile's layout, with the sidecar's environment and JVM options from
 *       {@code k8s/api.yaml}: the probes' endpoints answer, it sees the cluster and the Sentinel group, the policy finds
 *       no drift (the Redis files and the agent's settings agree), and its memory stays well inside the pod's limit.</li>
 *   <li>A failover, then the former primary restarts: the script brings it back as a replica, not a second master.</li>
 * </ol>
 */
class SidecarIT {

    /** The kit's Secrets, one password per role, and the agent's admin token. */
    static final Map<String, String> SECRETS = secrets();
    static final String ADMIN = "cahoots-admin";
    static final String ADMIN_PASSWORD = KitSecrets.password("cahoots-redis-admin");
    static final String SENTINEL_PASSWORD = KitSecrets.password("cahoots-sentinel");
    static final ObjectMapper JSON = new ObjectMapper();
    static final Rendering KIT = ManifestsTest.KIT;
    static final Map<String, String> NO_FIELDS = Map.of();

    @Test
    void fromTheKitsFilesToARunningSidecar() throws Exception {
        try (KitProcesses kit = new KitProcesses()) {
            try {
                run(kit);
            } catch (Throwable t) {
                kit.keep();
                throw t;
            }
        }
    }

    private void run(KitProcesses kit) throws Exception {
        // 1. The Redis Cluster, as the StatefulSet runs each node, and the create Job.
        Container node = KIT.container("redis-cluster", "redis");
        List<HostPort> cluster = new ArrayList<>();
        for (int i = 0; i < KIT.workload("redis-cluster").replicas(); i++) {
            HostPort a = new HostPort("127.0.0.1", kit.port());
            cluster.add(a);
            kit.address("redis-cluster-" + i + ".redis-cluster:6379", a);
            KitSecrets.renderAcl(kit, "redis-cluster", "redis-cluster-" + i); // the init container "acl"
            Map<String, String> env = kit.environment(node, NO_FIELDS, SECRETS, Map.of());
            kit.start(kit.scratch("redis-cluster-" + i), env, kit.commandLine(node, env, "--port", Integer.toString(a.port()),
                    "--cluster-port", Integer.toString(kit.port()), "--bind", "127.0.0.1"));
        }
        cluster.forEach(a -> KitProcesses.awaitPing(a, ADMIN, ADMIN_PASSWORD, Duration.ofSeconds(10)));
        Container create = KIT.container("redis-cluster-create", "create");
        Map<String, String> createEnv = kit.environment(create, NO_FIELDS, SECRETS, Map.of("WAIT_SECONDS", "30"));
        assertThat(kit.runToEnd(kit.scratch("create"), createEnv, kit.commandLine(create, createEnv), Duration.ofSeconds(90)))
                .contains("create-cluster: cluster created");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (HostPort a : cluster) {
                try (Jedis j = KitProcesses.connect(a, ADMIN, ADMIN_PASSWORD)) {
                    InfoReply info = InfoReply.parse(j.clusterInfo());
                    assertThat(info.get("cluster_state")).contains("ok");
                    assertThat(info.getLong("cluster_known_nodes", 0)).isEqualTo(6);
                }
            }
        });
        assertThat(kit.runToEnd(kit.scratch("create-again"), createEnv, kit.commandLine(create, createEnv), Duration.ofSeconds(60)))
                .contains("cluster already formed (6 nodes known); addresses refreshed");

        // 2. The Sentinel group. /etc/redis holds the cluster config as-is and sentinel.conf pointed at loopback.
        HostPort ha0 = new HostPort("127.0.0.1", kit.port());
        HostPort ha1 = new HostPort("127.0.0.1", kit.port());
        kit.address("redis-master:6379", ha0);
        Path etc = kit.scratch("etc-redis");
        Files.copy(RedisConf.CLUSTER, etc.resolve("redis-cluster.conf"));
        Files.copy(KitSecrets.USERS_ACL, etc.resolve("users.acl"));
        Files.writeString(etc.resolve("sentinel.conf"), Rendering.read(RedisConf.SENTINEL)
                .replace("sentinel monitor mymaster redis-master 6379 2", "sentinel monitor mymaster 127.0.0.1 " + ha0.port() + " 2"));
        kit.mount("/etc/redis", etc);
        List<HostPort> sentinels = new ArrayList<>();
        for (int i = 0; i < KIT.workload("redis-sentinel").replicas(); i++) {
            HostPort s = new HostPort("127.0.0.1", kit.port());
            sentinels.add(s);
            kit.address("redis-sentinel-" + i + ".redis-sentinel:26379", s);
        }
        Map<HostPort, Process> haProcesses = new HashMap<>();
        for (HostPort ha : List.of(ha0, ha1)) {
            haProcesses.put(ha, startHaNode(kit, ha, ha == ha0 ? 0 : 1, "redis-ha-" + (ha == ha0 ? 0 : 1)));
        }
        List.of(ha0, ha1).forEach(a -> KitProcesses.awaitPing(a, ADMIN, ADMIN_PASSWORD, Duration.ofSeconds(10)));
        awaitReplicaOf(ha1, ha0);
        Container prepare = KIT.container("redis-sentinel", "prepare");
        Container sentinel = KIT.container("redis-sentinel", "sentinel");
        for (int i = 0; i < sentinels.size(); i++) {
            Path data = kit.scratch("redis-sentinel-" + i);
            kit.mount("/data", data);
            Map<String, String> fields = Map.of("metadata.name", "redis-sentinel-" + i, "metadata.namespace", "cahoots");
            Map<String, String> env = kit.environment(prepare, fields, SECRETS, Map.of("ANNOUNCE_HOST", "127.0.0.1"));
            String out = kit.runToEnd(data, env, kit.commandLine(prepare, env), Duration.ofSeconds(30));
            assertThat(out).contains("sentinel monitor mymaster 127.0.0.1 " + ha0.port() + " 2");
            if (i > 0) {
                assertThat(out).as("a later Sentinel asks the running ones").contains("names 127.0.0.1:" + ha0.port());
            }
            Map<String, String> senv = kit.environment(sentinel, fields, SECRETS, Map.of());
            kit.start(data, senv, kit.commandLine(sentinel, senv, "--port", Integer.toString(sentinels.get(i).port()), "--bind", "127.0.0.1"));
            KitProcesses.awaitPing(sentinels.get(i), SENTINEL_PASSWORD, Duration.ofSeconds(10));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (HostPort s : sentinels) {
                try (Jedis j = KitProcesses.connect(s, SENTINEL_PASSWORD)) {
                    Map<String, String> m = j.sentinelMaster("mymaster");
                    assertThat(m).containsEntry("num-other-sentinels", "2").containsEntry("num-slaves", "1").containsEntry("quorum", "2");
                    assertThat(m.get("flags")).isEqualTo("master");
                }
            }
        });

        // 3. The agent: the image's layout, the sidecar's environment and JVM options.
        Container agentContainer = KIT.container("cahoots-api", "agent");
        Map<String, String> env = kit.environment(agentContainer, NO_FIELDS, SECRETS, Map.of());
        assertThat(env).containsEntry("AGENT_REDIS_USERNAME", "cahoots-agent")
                .containsEntry("AGENT_REDIS_PASSWORD", KitSecrets.password("cahoots-redis-agent"));
        String jvm = env.remove("JAVA_OPTS_APPEND");
        // Never a real cluster, even on a machine with one configured: no kubeconfig. (Scaling is on, as in the
        // manifest; without an API server it only reports that it cannot read the Deployment.)
        env.put("KUBECONFIG", kit.dir.resolve("no-kubeconfig").toString());
        Path jar = imageLayout(kit.scratch("deployments"));
        String previous = System.getProperty("agent.jar");
        AgentProcess agent;
        System.setProperty("agent.jar", jar.toString());
        try {
            agent = AgentProcess.start(env, jvm.split("\\s+"));
        } finally {
            if (previous == null) {
                System.clearProperty("agent.jar");
            } else {
                System.setProperty("agent.jar", previous);
            }
        }
        try (agent) {
            agent.awaitHttp(Duration.ofSeconds(60));
            for (String probe : List.of(agentContainer.getStartupProbe().getHttpGet().getPath(),
                    agentContainer.getLivenessProbe().getHttpGet().getPath(), agentContainer.getReadinessProbe().getHttpGet().getPath())) {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(agent.get(probe).statusCode()).as(probe).isEqualTo(200));
            }
            JsonNode c = json(agent, "/api/v1/cluster");
            assertThat(c.get("state").asText()).isEqualTo("ok");
            assertThat(StreamSupport.stream(c.get("nodes").spliterator(), false).filter(n -> n.get("role").asText().equals("master")))
                    .hasSize(3).allSatisfy(n -> assertThat(n.get("slotCount").asInt()).isPositive());
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode m = json(agent, "/api/v1/sentinel").get("masters").get("mymaster");
                assertThat(m.get("address").asText()).isEqualTo(ha0.toString());
                assertThat(m.get("quorumReachable").asBoolean()).isTrue();
                assertThat(m.get("replicas")).singleElement().satisfies(r -> assertThat(r.get("online").asBoolean()).isTrue());
            });
            // The Redis files and the agent's policy settings agree: no drift on any of the 8 data nodes.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode p = json(agent, "/api/v1/policy");
                assertThat(p.get("nodesChecked").asInt()).isEqualTo(8);
                assertThat(p.get("nodesDrifting").asInt()).isZero();
                assertThat(p.get("nodes")).allSatisfy(n -> assertThat(n.get("ok").asBoolean()).as(n.toString()).isTrue());
            });
            // Awaited: the Sentinel gauges are re-registered at every poll (MultiGauge with overwrite), and a scrape that
            // falls in between misses them (seen once in 6 runs).
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(agent.get("/q/metrics").body())
                    .contains("cahoots_policy_memory_drift_nodes 0.0", "cahoots_cluster_state_ok 1.0",
                            "cahoots_sentinel_quorum_reachable{master=\"mymaster\"} 1.0"));

            // Memory under a little load, against the container's limit.
            for (int i = 0; i < 100; i++) {
                agent.get("/api/v1/cluster");
                agent.get("/q/metrics");
            }
            Thread.sleep(1000); // deliberate: a second for the load's garbage and buffers to settle before reading the RSS
            long limit = Quantity.getAmountInBytes(agentContainer.getResources().getLimits().get("memory")).longValueExact();
            long rss = agent.rssKib() * 1024;
            System.out.printf("FIGURE agent sidecar RSS with JAVA_OPTS_APPEND=\"%s\": %d MiB of its %d MiB limit%n",
                    jvm, rss >> 20, limit >> 20);
            assertThat(rss).as("RSS against 80%% of the memory limit").isLessThan(limit * 8 / 10);

            // 4. A failover; the former primary restarts and must come back as a replica of the new one.
            try (Jedis s = KitProcesses.connect(sentinels.get(0), SENTINEL_PASSWORD)) {
                s.sentinelFailover("mymaster");
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(json(agent, "/api/v1/sentinel").get("masters").get("mymaster").get("address").asText()).isEqualTo(ha1.toString()));
            Process old = haProcesses.get(ha0);
            old.destroy();
            assertThat(old.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            startHaNode(kit, ha0, 0, "redis-ha-0");
            KitProcesses.awaitPing(ha0, ADMIN, ADMIN_PASSWORD, Duration.ofSeconds(10));
            awaitReplicaOf(ha0, ha1);
            assertThat(Files.readString(kit.dir.resolve("redis-ha-0").resolve("console.log")))
                    .contains("start-ha-node: the Sentinels name 127.0.0.1:" + ha1.port() + " as master: starting as its replica");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode m = json(agent, "/api/v1/sentinel").get("masters").get("mymaster");
                assertThat(m.get("replicas")).anySatisfy(r -> {
                    assertThat(r.get("address").asText()).isEqualTo(ha0.toString());
                    assertThat(r.get("online").asBoolean()).isTrue();
                });
            });
        }
    }

    /** A data pod of the Sentinel group, as the StatefulSet runs it ({@code start-ha-node.sh}). */
    private static Process startHaNode(KitProcesses kit, HostPort address, int ordinal, String podName) {
        Container c = KIT.container("redis-ha", "redis");
        KitSecrets.renderAcl(kit, "redis-ha", podName); // the init container "acl", at every start as in a pod
        Path data = kit.scratch(podName);
        kit.mount("/data", data);
        Map<String, String> env = kit.environment(c, Map.of("metadata.name", podName, "metadata.namespace", "cahoots"), SECRETS,
                Map.of("ANNOUNCE_HOST", "127.0.0.1", "PORT", Integer.toString(address.port()), "HOSTNAME", podName));
        assertThat(env.get("ORDINAL")).as("the ordinal comes from the pod's hostname").isNull();
        // Test-only arguments, passed on by the script: loopback, and no 5 s wait before a replica's first sync.
        return kit.start(data, env, kit.commandLine(c, env, "--bind", "127.0.0.1", "--repl-diskless-sync-delay", "0"));
    }

    private static void awaitReplicaOf(HostPort replica, HostPort master) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            try (Jedis j = KitProcesses.connect(replica, ADMIN, ADMIN_PASSWORD)) {
                InfoReply info = InfoReply.parse(j.info("replication"));
                assertThat(info.get("role")).contains("slave");
                assertThat(info.get("master_port")).contains(Integer.toString(master.port()));
                assertThat(info.get("master_link_status")).contains("up");
            }
        });
    }

    private static Map<String, String> secrets() {
        Map<String, String> m = new HashMap<>(KitSecrets.PASSWORDS);
        m.put("cahoots-agent", "adminToken0123456789abcdef");
        return Map.copyOf(m);
    }

    /** {@code /deployments} as Dockerfile.jvm's COPY lines build it from {@code target/quarkus-app}; returns the jar. */
    static Path imageLayout(Path root) throws Exception {
        Dockerfile image = Dockerfile.read();
        assertThat(image.copies()).isNotEmpty();
        for (Dockerfile.Copy copy : image.copies()) {
            Path target = root.resolve(copy.target().replaceFirst("^/deployments/?", ""));
            Files.createDirectories(target);
            if (copy.source().endsWith("/*.jar")) {
                Path dir = Path.of(copy.source().substring(0, copy.source().length() - "/*.jar".length()));
                try (Stream<Path> jars = Files.list(dir)) {
                    for (Path j : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                        Files.copy(j, target.resolve(j.getFileName()));
                    }
                }
            } else {
                Path src = Path.of(copy.source());
                assertThat(src).as("COPY source %s (run mvn package first)", src).isDirectory();
                try (Stream<Path> files = Files.walk(src)) {
                    for (Path f : files.toList()) {
                        Path t = target.resolve(src.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t);
                        }
                    }
                }
            }
        }
        Path jar = Path.of(image.env().get("JAVA_APP_JAR").replaceFirst("^/deployments/", root + "/"));
        assertThat(jar).exists();
        return jar;
    }

    private static JsonNode json(AgentProcess agent, String path) throws Exception {
        HttpResponse<String> r = agent.get(path);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
