package io.cahoots.agent.scaling;

import com.fasterxml.jackson.databind.JsonNode;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.pods.KubeRedisPods;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.cahoots.agent.scaling.ShardScalingIT.VALUE;
import static io.cahoots.agent.scaling.ShardScalingIT.reasons;
import static io.cahoots.agent.scaling.ShardScalingIT.redis;
import static io.cahoots.agent.scaling.ShardScalingIT.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shard autoscaler on Kubernetes, on real processes: a StatefulSet of 6 pods (3 masters x 1 replica, each
 * redis-server on its own loopback address, {@code maxmemory} 24mb) on the CRUD mock API server. The test plays the
 * StatefulSet controller: when {@code spec.replicas} grows it starts a "pod" (an empty redis-server on a new address)
 * per new ordinal; when it shrinks it stops and deletes the pods above it.
 *
 * <ol>
 *   <li>Filling memory past 60% makes the agent ask for two pods more through the {@code cahoots.io/redis-replicas}
 *       annotation; the pods supervisor raises {@code spec.replicas} to 8; the two new pods join as ONE shard (ordinal
 *       6 a master with its share of the slots, ordinal 7 its replica) although {@code AGENT_KUBE_JOIN_AS} is
 *       {@code replica}; keys verified.</li>
 *   <li>Emptying it makes the agent ask for 6 after the calm: the pods supervisor drains ordinals 7 and 6 (a master and
 *       its replica) and only then lowers {@code spec.replicas}; 3 masters again, keys verified.</li>
 *   <li>The calm goes on and the minimum is 2: the highest ordinals are now 4 and 5, two replicas (the lab's layout).
 *       Removing them would take no master out, so one of them first takes over its master ({@code shard-failover}
 *       job) and is drained: 2 masters on 4 pods, each with one replica, keys verified.</li>
 * </ol>
 * Before the agent starts the masters are filled to ~40% so that the calm (below 30%) cannot start before step 1.
 * The status says {@code "nodeSource": "statefulset redis-cluster"} and so does every decision's log line.
 */
class ShardScalingKubeIT {

    static final int KEYS = 300;
    static final long MAXMEMORY = 24L * 1024 * 1024;
    static final int MAX_FILL_KEYS = 16_000;

    @Test
    void fillingMemoryGrowsTheStatefulSetByOneShardAndACalmShrinksItShardByShard() throws Exception {
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(1).ownLoopbackAddresses(true)
                .maxmemoryBytes(MAXMEMORY).build());
             MockKubernetes kube = new MockKubernetes()) {
            List<HostPort> initial = lab.clusterNodes();
            KubeRedisPods pods = new KubeRedisPods(kube, 6);
            Map<Integer, HostPort> podAt = new ConcurrentHashMap<>();
            for (int i = 0; i < 6; i++) {
                pods.pod(i, initial.get(i), "kn-" + i % 3);
                podAt.put(i, initial.get(i));
            }
            int filled = 0;
            try (JedisCluster c = client(initial)) {
                for (int i = 0; i < KEYS; i++) {
                    c.set("k:" + i, "v" + i);
                }
                while (ShardScalingIT.fullestPercent(lab) < 40 && filled < MAX_FILL_KEYS) {
                    for (int end = filled + 250; filled < end; filled++) {
                        c.set("fill:" + filled, VALUE);
                    }
                }
            }
            Map<String, String> env = KubeRedisPods.env(kube);
            env.put("AGENT_CLUSTER_NODES", initial.get(0) + "," + initial.get(1));
            env.put("AGENT_KUBE_JOIN_AS", "replica");
            env.put("AGENT_REDIS_SCALING_ENABLED", "true");
            env.put("AGENT_REDIS_SCALING_MIN_MASTERS", "2");
            env.put("AGENT_REDIS_SCALING_MAX_MASTERS", "4");
            env.put("AGENT_REDIS_SCALING_MEMORY_PERCENT", "60");
            env.put("AGENT_REDIS_SCALING_OPS_PER_SECOND", "1000000");
            env.put("AGENT_REDIS_SCALING_LATENCY_MS", "2000");
            env.put("AGENT_REDIS_SCALING_SUSTAIN", "2s");
            env.put("AGENT_REDIS_SCALING_OBSERVE", "3s");
            env.put("AGENT_REDIS_SCALING_SCALE_IN_AFTER", "5s");
            env.put("AGENT_REDIS_SCALING_INTERVAL", "500ms");
            List<String> controllerErrors = new CopyOnWriteArrayList<>();
            ScheduledExecutorService controller = Executors.newSingleThreadScheduledExecutor();
            AgentProcess agent = AgentProcess.start(env);
            try (JedisCluster client = client(initial)) {
                // The StatefulSet controller: pods follow spec.replicas, one look every 200 ms.
                controller.scheduleWithFixedDelay(() -> {
                    try {
                        int spec = pods.specReplicas();
                        for (int i = 0; i < spec; i++) {
                            if (!podAt.containsKey(i)) {
                                HostPort a = lab.startSpareNode();
                                podAt.put(i, a);
                                pods.pod(i, a, "kn-" + i % 3);
                            }
                        }
                        for (Integer i : new ArrayList<>(podAt.keySet())) {
                            if (i >= spec) {
                                lab.removeNode(podAt.remove(i));
                                pods.delete(i);
                            }
                        }
                    } catch (RuntimeException e) {
                        controllerErrors.add(e.toString());
                    }
                }, 0, 200, TimeUnit.MILLISECONDS);
                agent.awaitHttp(Duration.ofSeconds(90));
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    JsonNode r = redis(agent);
                    assertThat(r.get("nodeSource").asText()).as("%s", r).isEqualTo("statefulset redis-cluster");
                    assertThat(r.get("mode").asText()).as("%s", r).isEqualTo("active");
                });

                // 1. Fill: the fullest master passes 60% of maxmemory; the StatefulSet grows by one shard.
                while (ShardScalingIT.fullestPercent(lab) < 67 && filled < MAX_FILL_KEYS) {
                    for (int end = filled + 250; filled < end; filled++) {
                        client.set("fill:" + filled, VALUE);
                    }
                }
                int fillKeys = filled;
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    JsonNode r = redis(agent);
                    assertThat(r.get("masters").asInt()).as("%s", r).isEqualTo(4);
                    assertThat(r.get("phase").asText()).as("%s", r).doesNotStartWith("stepping");
                });
                assertThat(pods.specReplicas()).isEqualTo(8);
                assertThat(reasons(agent)).anyMatch(s -> s.startsWith("memory ") && s.contains("> 60% for 2s: one more shard, 3 -> 4"));
                JsonNode cluster = ShardScalingIT.JSON.readTree(agent.get("/api/v1/cluster").body());
                JsonNode six = podNode(cluster, 6);
                JsonNode seven = podNode(cluster, 7);
                assertThat(six.get("role").asText()).as("ordinal 6: %s", six).isEqualTo("master");
                assertThat(six.get("slotCount").asInt()).as("ordinal 6: %s", six).isGreaterThan(3000);
                assertThat(seven.get("role").asText()).as("ordinal 7: %s", seven).isEqualTo("replica");
                assertThat(seven.get("masterId").asText()).as("ordinal 7 follows ordinal 6").isEqualTo(six.get("id").asText());
                assertThat(types(agent)).contains("add-node", "rebalance");
                assertThat(actions(agent)).anyMatch(a -> a.startsWith("spec.replicas 6 -> 8") && a.contains("one shard"))
                        .noneMatch(a -> a.startsWith("join redis-cluster-6") || a.startsWith("join redis-cluster-7"));
                List<HostPort> now = new ArrayList<>(podAt.values());
                assertKeys(now, fillKeys);

                // 2. Empty: after the calm the agent asks for 6 pods; ordinals 7 and 6 are drained before they go.
                for (int i = 0; i < fillKeys; i++) {
                    client.del("fill:" + i);
                }
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                        .until(() -> pods.specReplicas() == 6);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(redis(agent).get("masters").asInt()).isEqualTo(3));
                assertThat(reasons(agent)).anyMatch(s -> s.startsWith("calm for 5s") && s.contains("draining it, 4 -> 3")
                        && s.contains("redis-cluster-6 and its replica redis-cluster-7 leave as one shard"));
                assertThat(types(agent)).contains("remove-node");
                assertThat(actions(agent)).anyMatch(a -> a.startsWith("drain redis-cluster-7"))
                        .anyMatch(a -> a.startsWith("drain redis-cluster-6"))
                        .anyMatch(a -> a.startsWith("spec.replicas 8 -> 6"));
                assertKeys(initial, 0);

                // 3. Calm still, minimum 2: ordinals 4 and 5 are two replicas; one takes over its master, then goes.
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    JsonNode r = redis(agent);
                    assertThat(r.get("masters").asInt()).as("%s", r).isEqualTo(2);
                    assertThat(r.get("phase").asText()).as("%s", r).doesNotStartWith("stepping");
                    assertThat(pods.specReplicas()).isEqualTo(4);
                });
                assertThat(reasons(agent)).anyMatch(s -> s.contains("draining it, 3 -> 2") && s.contains("are both replicas")
                        && s.contains("takes over from its master"));
                assertThat(types(agent)).contains("shard-failover", "shard-replicas");
                await().atMost(Duration.ofSeconds(30)).until(() -> podAt.size() == 4);
                JsonNode after = ShardScalingIT.JSON.readTree(agent.get("/api/v1/cluster").body());
                assertThat(after.get("nodes")).hasSize(4);
                List<String> masterIds = new ArrayList<>();
                List<String> followed = new ArrayList<>();
                after.get("nodes").forEach(n -> {
                    if (n.get("role").asText().equals("master")) {
                        masterIds.add(n.get("id").asText());
                    } else {
                        followed.add(n.get("masterId").asText());
                    }
                });
                assertThat(followed).as("each of the 2 masters keeps one replica").containsExactlyInAnyOrderElementsOf(masterIds);
                assertKeys(new ArrayList<>(podAt.values()), 0);
                assertThat(agent.output()).contains("redis scaling scale-out [nodes from statefulset redis-cluster]")
                        .contains("redis scaling scale-in [nodes from statefulset redis-cluster]");
                assertThat(controllerErrors).isEmpty();
            } catch (AssertionError | RuntimeException e) {
                System.err.println("agent output (tail):\n" + tail(agent.output()));
                throw e;
            } finally {
                controller.shutdownNow();
                agent.close();
            }
        }
    }

    /** The node of the pod with this ordinal in {@code GET /api/v1/cluster}. */
    static JsonNode podNode(JsonNode cluster, int ordinal) {
        for (JsonNode n : cluster.get("nodes")) {
            if (n.path("ordinal").asInt(-1) == ordinal) {
                return n;
            }
        }
        throw new AssertionError("no node at ordinal " + ordinal + ": " + cluster);
    }

    static List<String> actions(AgentProcess agent) throws Exception {
        List<String> out = new ArrayList<>();
        ShardScalingIT.JSON.readTree(agent.get("/api/v1/cluster/pods").body()).get("actions")
                .forEach(a -> out.add(a.get("what").asText()));
        return out;
    }

    static void assertKeys(List<HostPort> nodes, int fillKeys) {
        try (JedisCluster c = client(nodes)) {
            for (int i = 0; i < KEYS; i++) {
                assertThat(c.get("k:" + i)).as("k:%d", i).isEqualTo("v" + i);
            }
            for (int i = 0; i < fillKeys; i++) {
                assertThat(c.get("fill:" + i)).as("fill:%d", i).isEqualTo(VALUE);
            }
        }
    }

    static JedisCluster client(List<HostPort> nodes) {
        return new JedisCluster(nodes.stream().map(a -> new HostAndPort(a.host(), a.port())).collect(Collectors.toSet()),
                redis.clients.jedis.DefaultJedisClientConfig.builder().connectionTimeoutMillis(2000).socketTimeoutMillis(2000).build());
    }

    static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 200), lines.length));
    }
}
