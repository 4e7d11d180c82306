package io.cahoots.agent.pods;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.ClusterNodesParser;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.scaling.MockKubernetes;
import io.cahoots.agent.testing.AgentProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Heal on real processes: a 3x1 cluster whose nodes each bind a loopback address of their own, as pods have their own
 * IPs, listed as the pods of a StatefulSet by the CRUD mock API server. A seventh pod joins as a replica of a master on
 * another Kubernetes node. One pod moving is left to Redis' gossip; every
 * pod moving at once (each node restarted on a new address with its nodes.conf and data) is healed by the agent with
 * CLUSTER MEETs, back to cluster_state:ok with every key.
 */
class PodHealIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int KEYS = 300;

    @Test
    void aNewPodJoinsAsAReplicaASingleMoveIsLeftToGossipAndAFullRestartAtNewAddressesIsHealedWithEveryKey() throws Exception {
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(1).ownLoopbackAddresses(true).build());
             MockKubernetes kube = new MockKubernetes()) {
            List<HostPort> nodes = new ArrayList<>(lab.clusterNodes()); // ordinal = index: masters 0-2, replicas 3-5
            KubeRedisPods pods = new KubeRedisPods(kube, nodes.size());
            for (int i = 0; i < nodes.size(); i++) {
                pods.pod(i, nodes.get(i), "kn-" + i % 3);
            }
            assertThat(pods.podIp(0)).isEqualTo(nodes.get(0).host());
            try (JedisCluster c = client(nodes)) {
                for (int i = 0; i < KEYS; i++) {
                    c.set("k:" + i, "v" + i);
                }
            }
            Map<String, String> env = KubeRedisPods.env(kube);
            List<String> seeds = lab.masters().stream().map(HostPort::toString).toList();
            env.put("AGENT_CLUSTER_NODES", String.join(",", seeds));
            AgentProcess agent = AgentProcess.start(env);
            try {
                agent.awaitHttp(Duration.ofSeconds(90));

                // 1. The mapping: every node with its pod, ordinal and Kubernetes node.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    JsonNode c = json(agent, "/api/v1/cluster");
                    assertThat(c.get("nodes")).hasSize(6);
                    for (JsonNode n : c.get("nodes")) {
                        int ordinal = nodes.indexOf(HostPort.parse(n.get("address").asText()));
                        assertThat(n.path("pod").asText()).as("%s", n).isEqualTo("redis-cluster-" + ordinal);
                        assertThat(n.path("ordinal").asInt(-1)).isEqualTo(ordinal);
                        assertThat(n.path("kubeNode").asText()).isEqualTo("kn-" + ordinal % 3);
                    }
                    JsonNode p = json(agent, "/api/v1/cluster/pods");
                    assertThat(p.get("mode").asText()).isEqualTo("kubernetes");
                    assertThat(p.get("statefulSet").asText()).isEqualTo(KubeRedisPods.SET);
                    assertThat(p.get("pods")).hasSize(6).allSatisfy(x -> assertThat(x.has("nodeId")).as("%s", x).isTrue());
                });

                // 2. A new pod (the StatefulSet scaled to 7 through the agent) joins as a replica
                //    (AGENT_KUBE_JOIN_AS=replica, the default) of a master on another Kubernetes node than its own.
                pods.request(7);
                await().atMost(Duration.ofSeconds(30)).until(() -> pods.specReplicas() == 7);
                HostPort added = lab.startSpareNode();
                nodes.add(added);
                pods.pod(6, added, "kn-0");
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    JsonNode c = json(agent, "/api/v1/cluster");
                    Map<String, JsonNode> byId = new java.util.HashMap<>();
                    c.get("nodes").forEach(n -> byId.put(n.get("id").asText(), n));
                    JsonNode joined = byId.values().stream().filter(n -> n.path("pod").asText().equals("redis-cluster-6"))
                            .findFirst().orElseThrow(() -> new AssertionError("redis-cluster-6 is no member yet: " + c));
                    assertThat(joined.get("role").asText()).isEqualTo("replica");
                    JsonNode master = byId.get(joined.path("masterId").asText());
                    assertThat(master).as("master of %s", joined).isNotNull();
                    assertThat(master.path("kubeNode").asText()).as("master of %s", joined).isIn("kn-1", "kn-2");
                    assertThat(joined.path("health").asText()).isEqualTo("ok");
                    assertThat(json(agent, "/api/v1/cluster/check").path("ok").asBoolean(false)).isTrue();
                });

                // 3. One pod (a replica) comes back at a new address: gossip repairs it, the agent sends no MEET.
                saveAll(lab, nodes);
                HostPort moved = lab.moveNode(nodes.get(3), RedisLab.nextLoopbackHost());
                nodes.set(3, moved);
                pods.moved(3, moved);
                awaitEveryNodeKnowsEveryOtherWhereItIs(nodes, Duration.ofSeconds(60));
                assertThat(json(agent, "/api/v1/cluster/pods").get("heal").get("meetsSent").asLong()).isZero();

                // 4. Every pod restarted at once, each on a new address, keeping nodes.conf and data (an RDB written
                //    first: the lab's nodes have no save points, the kit's persist).
                saveAll(lab, nodes);
                nodes.forEach(a -> lab.node(a).stop());
                List<HostPort> after = nodes.parallelStream().map(a -> lab.moveNode(a, RedisLab.nextLoopbackHost())).toList();
                for (int i = 0; i < after.size(); i++) {
                    pods.moved(i, after.get(i));
                }
                // Nobody reaches anybody: each node lists its peers at their old addresses.
                try (Jedis j = lab.connect(after.get(0))) {
                    assertThat(j.clusterInfo()).contains("cluster_state:fail");
                }
                awaitEveryNodeKnowsEveryOtherWhereItIs(after, Duration.ofSeconds(120));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    for (HostPort a : after) {
                        try (Jedis j = lab.connect(a)) {
                            assertThat(j.clusterInfo()).as("%s", a).contains("cluster_state:ok");
                        }
                    }
                    // The check agrees, with every slot owned once and served; the only addresses it cannot reach
                    // are the configured seeds no pod has any more (on Kubernetes AGENT_CLUSTER_NODES names the pods'
                    // DNS names, which follow them; here they are the first IPs).
                    JsonNode check = json(agent, "/api/v1/cluster/check");
                    assertThat(check.path("agree").asBoolean(false)).as("%s", check).isTrue();
                    for (String f : List.of("openSlots", "uncoveredSlots", "multiOwnedSlots", "failedSlots")) {
                        assertThat(check.get(f)).as("%s in %s", f, check).isEmpty();
                    }
                    List<String> unreachable = new ArrayList<>();
                    check.get("unreachable").forEach(u -> unreachable.add(u.asText()));
                    assertThat(unreachable).isSubsetOf(seeds);
                });
                JsonNode heal = json(agent, "/api/v1/cluster/pods").get("heal");
                assertThat(heal.get("meetsSent").asLong()).as("%s", heal).isPositive();
                assertThat(heal.get("state").asText()).isEqualTo("ok");
                try (JedisCluster c = client(after)) {
                    for (int i = 0; i < KEYS; i++) {
                        assertThat(c.get("k:" + i)).as("k:%d after the heal", i).isEqualTo("v" + i);
                    }
                }
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    Set<String> mapped = IntStream.range(0, after.size()).mapToObj(i -> "redis-cluster-" + i).collect(Collectors.toSet());
                    JsonNode c = json(agent, "/api/v1/cluster");
                    List<String> seen = new ArrayList<>();
                    c.get("nodes").forEach(n -> seen.add(n.path("pod").asText()));
                    assertThat(seen).containsExactlyInAnyOrderElementsOf(mapped);
                });
            } catch (AssertionError | RuntimeException e) {
                System.err.println("agent output (tail):\n" + tail(agent.output()));
                throw e;
            } finally {
                agent.close();
            }
        }
    }

    /** Every node lists every other at its current address, connected, without a failure flag. */
    static void awaitEveryNodeKnowsEveryOtherWhereItIs(List<HostPort> nodes, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (HostPort a : nodes) {
                List<NodeEntry> view;
                try (Jedis j = new Jedis(a.host(), a.port(), 2000)) {
                    view = ClusterNodesParser.parse(j.clusterNodes());
                }
                assertThat(view).as("view of %s", a).hasSize(nodes.size());
                for (NodeEntry e : view) {
                    if (!e.myself()) {
                        assertThat(e.address()).as("%s in the view of %s", e.id(), a).isPresent();
                        assertThat(nodes).as("%s in the view of %s", e.address().get(), a).contains(e.address().get());
                        assertThat(e.linkConnected()).as("link to %s in the view of %s", e.address().get(), a).isTrue();
                        assertThat(e.failed() || e.flags().contains(io.cahoots.agent.cluster.NodeFlag.PFAIL))
                                .as("%s failing in the view of %s", e.address().get(), a).isFalse();
                    }
                }
            }
        });
    }

    static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 150), lines.length));
    }

    static void saveAll(RedisLab lab, List<HostPort> nodes) {
        for (HostPort a : nodes) {
            try (Jedis j = lab.connect(a)) {
                j.save();
            }
        }
    }

    static JedisCluster client(List<HostPort> nodes) {
        return new JedisCluster(nodes.stream().map(a -> new HostAndPort(a.host(), a.port())).collect(Collectors.toSet()),
                redis.clients.jedis.DefaultJedisClientConfig.builder().connectionTimeoutMillis(2000).socketTimeoutMillis(2000).build());
    }

    static JsonNode json(AgentProcess agent, String path) throws Exception {
        return JSON.readTree(agent.get(path).body());
    }
}
