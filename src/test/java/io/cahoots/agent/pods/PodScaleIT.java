package io.cahoots.agent.pods;

import com.fasterxml.jackson.databind.JsonNode;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.scaling.MockKubernetes;
import io.cahoots.agent.testing.AgentProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.cahoots.agent.pods.PodHealIT.client;
import static io.cahoots.agent.pods.PodHealIT.json;
import static io.cahoots.agent.pods.PodHealIT.tail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Join and drain on real processes: a StatefulSet of 6 pods (3 masters x 1 replica, each on its own loopback address)
 * on the CRUD mock API server, scaled 6 -> 8 -> 6 through the agent's request annotation, with
 * {@code AGENT_KUBE_JOIN_AS=master}. The test plays the StatefulSet controller: it starts a "pod" (a redis-server on a
 * new address) when {@code spec.replicas} grows and stops it only when {@code spec.replicas} shrinks. The scale-down
 * must be held while the leaving pods hold slots: {@code spec.replicas} drops to 6 only once they are drained and
 * forgotten. Keys are verified after each step.
 */
class PodScaleIT {

    static final int KEYS = 300;

    @Test
    void aStatefulSetScaled6To8To6JoinsTheNewPodsAsMastersAndDrainsThemBeforeTheyGo() throws Exception {
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(1).ownLoopbackAddresses(true).build());
             MockKubernetes kube = new MockKubernetes()) {
            List<HostPort> nodes = new ArrayList<>(lab.clusterNodes());
            KubeRedisPods pods = new KubeRedisPods(kube, 6);
            for (int i = 0; i < 6; i++) {
                pods.pod(i, nodes.get(i), "kn-" + i % 3);
            }
            try (JedisCluster c = client(nodes)) {
                for (int i = 0; i < KEYS; i++) {
                    c.set("k:" + i, "v" + i);
                }
            }
            Map<String, String> env = KubeRedisPods.env(kube);
            env.put("AGENT_CLUSTER_NODES", nodes.get(0) + "," + nodes.get(1));
            env.put("AGENT_KUBE_JOIN_AS", "master");
            AgentProcess agent = AgentProcess.start(env);
            ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
            try {
                agent.awaitHttp(Duration.ofSeconds(90));
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(json(agent, "/api/v1/cluster/pods").path("specReplicas").asInt()).isEqualTo(6));

                // 1. Scale up: the agent raises spec.replicas; the "controller" starts pods 6 and 7; they join as masters.
                pods.request(8);
                await().atMost(Duration.ofSeconds(30)).until(() -> pods.specReplicas() == 8);
                for (int i = 6; i < 8; i++) {
                    HostPort a = lab.startSpareNode();
                    nodes.add(a);
                    pods.pod(i, a, "kn-" + i % 3);
                }
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    JsonNode c = json(agent, "/api/v1/cluster");
                    assertThat(c.get("nodes")).hasSize(8);
                    for (JsonNode n : c.get("nodes")) {
                        if (n.path("ordinal").asInt(-1) >= 6) {
                            assertThat(n.get("role").asText()).as("%s", n).isEqualTo("master");
                            assertThat(n.get("slotCount").asInt()).as("%s", n).isGreaterThan(2000);
                        }
                    }
                    assertThat(json(agent, "/api/v1/cluster/check").path("ok").asBoolean(false)).isTrue();
                });
                assertKeys(nodes);

                // 2. Scale down through the agent: held at 8 while pods 6 and 7 hold slots.
                List<String> seen = new CopyOnWriteArrayList<>();
                List<String> violations = new CopyOnWriteArrayList<>();
                HostPort p6 = nodes.get(6);
                HostPort p7 = nodes.get(7);
                watcher.scheduleWithFixedDelay(() -> {
                    try {
                        int replicas = pods.specReplicas();
                        if (replicas < 8) {
                            // Once spec.replicas is lowered, the leaving pods must hold nothing and know nobody.
                            for (HostPort a : List.of(p6, p7)) {
                                try (Jedis j = lab.connect(a)) {
                                    if (j.dbSize() > 0 || j.clusterNodes().lines().count() > 1) {
                                        violations.add(a + " still a member or holding keys at spec.replicas " + replicas);
                                    }
                                }
                            }
                        } else {
                            String held = json(agent, "/api/v1/cluster/pods").path("scaleDown").asText("");
                            if (!held.isEmpty()) {
                                seen.add(held);
                            }
                        }
                    } catch (Exception e) {
                        // the next look tells
                    }
                }, 0, 200, TimeUnit.MILLISECONDS);
                pods.request(6);
                await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1)).until(() -> pods.specReplicas() == 6);
                watcher.shutdown();
                watcher.awaitTermination(5, TimeUnit.SECONDS);
                assertThat(violations).isEmpty();
                assertThat(seen).anyMatch(h -> h.contains("held at 8 replicas") && h.contains("redis-cluster-7"));
                assertThat(pods.events("ScaleDownHeld")).isPositive();
                // The "controller" removes the pods now that spec.replicas says so.
                for (int i = 7; i >= 6; i--) {
                    lab.removeNode(nodes.get(i));
                    pods.delete(i);
                    nodes.remove(i);
                }
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    JsonNode c = json(agent, "/api/v1/cluster");
                    assertThat(c.get("nodes")).hasSize(6);
                    assertThat(json(agent, "/api/v1/cluster/check").path("ok").asBoolean(false)).isTrue();
                });
                assertKeys(nodes);
                JsonNode status = json(agent, "/api/v1/cluster/pods");
                List<String> actions = new ArrayList<>();
                status.get("actions").forEach(a -> actions.add(a.get("what").asText()));
                assertThat(actions).anyMatch(a -> a.startsWith("join redis-cluster-6") && a.contains("as a master, then rebalance"))
                        .anyMatch(a -> a.startsWith("drain redis-cluster-7"))
                        .anyMatch(a -> a.startsWith("spec.replicas 8 -> 6"));
            } catch (AssertionError | RuntimeException e) {
                System.err.println("agent output (tail):\n" + tail(agent.output()));
                throw e;
            } finally {
                watcher.shutdownNow();
                agent.close();
            }
        }
    }

    static void assertKeys(List<HostPort> nodes) {
        try (JedisCluster c = client(nodes)) {
            for (int i = 0; i < KEYS; i++) {
                assertThat(c.get("k:" + i)).as("k:%d", i).isEqualTo("v" + i);
            }
        }
    }
}
