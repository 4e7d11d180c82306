package io.cahoots.agent.scaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14's shard loop on real processes: a 3-master cluster with a low {@code maxmemory}; filling it makes the
 * packaged agent add a shard from the spare pool and rebalance; emptying it brings the cluster back to 3 masters
 * after the calm. A writer runs throughout and must see no error and lose no acknowledged write.
 */
class ShardScalingIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String MAXMEMORY = "24mb";
    static final int MAX_FILL_KEYS = 16_000;
    static final String VALUE = "v".repeat(4000);

    @Test
    void fillingMemoryAddsAShardFromThePoolAndEmptyingItGivesItBack() throws Exception {
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(0).spareNodes(2).build())) {
            for (HostPort n : concat(lab.masters(), lab.spareNodes())) {
                try (Jedis j = lab.connect(n)) {
                    j.configSet("maxmemory", MAXMEMORY);
                    j.configSet("maxmemory-policy", "noeviction");
                }
            }
            Map<String, String> env = new HashMap<>();
            env.put("AGENT_CLUSTER_NODES", join(lab.masters()));
            env.put("AGENT_ADMIN_TOKEN", "shard-scaling-it-token");
            env.put("AGENT_POLL_INTERVAL", "250ms");
            env.put("AGENT_REDIS_SCALING_ENABLED", "true");
            env.put("AGENT_REDIS_SCALING_MIN_MASTERS", "3");
            env.put("AGENT_REDIS_SCALING_MAX_MASTERS", "4");
            env.put("AGENT_REDIS_SCALING_MEMORY_PERCENT", "60");
            env.put("AGENT_REDIS_SCALING_OPS_PER_SECOND", "1000000");
            env.put("AGENT_REDIS_SCALING_LATENCY_MS", "2000");
            env.put("AGENT_REDIS_SCALING_SUSTAIN", "2s");
            env.put("AGENT_REDIS_SCALING_OBSERVE", "3s");
            env.put("AGENT_REDIS_SCALING_SCALE_IN_AFTER", "5s");
            env.put("AGENT_REDIS_SCALING_INTERVAL", "500ms");
            env.put("AGENT_REDIS_SCALING_SPARE_NODES", join(lab.spareNodes()));
            AtomicBoolean writing = new AtomicBoolean(true);
            Map<String, String> acknowledged = new ConcurrentHashMap<>();
            List<String> writeErrors = new CopyOnWriteArrayList<>();
            try (AgentProcess agent = AgentProcess.start(env); JedisCluster client = client(lab); JedisCluster writerClient = client(lab)) {
                agent.awaitHttp(Duration.ofSeconds(60));
                Thread writer = new Thread(() -> {
                    for (int i = 0; writing.get(); i++) {
                        String key = "writer:" + i;
                        try {
                            writerClient.set(key, Integer.toString(i));
                            acknowledged.put(key, Integer.toString(i));
                        } catch (RuntimeException e) {
                            writeErrors.add(key + ": " + e);
                        }
                        sleep(2); // the writer's pace
                    }
                }, "writer");
                writer.start();

                // 1. Fill: the fullest master passes 60% of maxmemory; one shard comes from the pool, and a rebalance.
                int filled = 0;
                while (fullestPercent(lab) < 67 && filled < MAX_FILL_KEYS) {
                    for (int end = filled + 250; filled < end; filled++) {
                        client.set("fill:" + filled, VALUE);
                    }
                }
                int fillKeys = filled;
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    JsonNode r = redis(agent);
                    assertThat(r.get("masters").asInt()).as("%s", r).isEqualTo(4);
                    assertThat(r.get("phase").asText()).as("%s", r).doesNotStartWith("stepping");
                });
                assertThat(reasons(agent)).anyMatch(s -> s.startsWith("memory ") && s.contains("> 60% for 2s: one more shard, 3 -> 4"));
                JsonNode cluster = JSON.readTree(agent.get("/api/v1/cluster").body());
                List<String> spares = lab.spareNodes().stream().map(HostPort::toString).toList();
                List<JsonNode> added = new ArrayList<>();
                cluster.get("nodes").forEach(n -> {
                    if (spares.contains(n.get("address").asText())) {
                        added.add(n);
                    }
                });
                assertThat(added).extracting(n -> n.get("role").asText()).containsExactlyInAnyOrder("master", "replica");
                assertThat(added).filteredOn(n -> n.get("role").asText().equals("master"))
                        .allSatisfy(n -> assertThat(n.get("slotCount").asInt()).isGreaterThan(3000));
                assertThat(types(agent)).contains("add-node", "rebalance");
                for (int i = 0; i < fillKeys; i++) {
                    assertThat(client.get("fill:" + i)).as("fill:%d after the scale-out", i).isEqualTo(VALUE);
                }

                // 2. Empty: after the calm the pool's master is drained and both nodes are released.
                for (int i = 0; i < fillKeys; i++) {
                    client.del("fill:" + i);
                }
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    JsonNode r = redis(agent);
                    assertThat(r.get("masters").asInt()).as("%s", r).isEqualTo(3);
                    assertThat(r.get("phase").asText()).as("%s", r).doesNotStartWith("stepping");
                    assertThat(r.get("source").asText()).endsWith("2 free of 2");
                });
                assertThat(reasons(agent)).anyMatch(s -> s.startsWith("calm for 5s") && s.contains("draining it, 4 -> 3"));
                assertThat(types(agent)).contains("remove-node");
                for (HostPort spare : lab.spareNodes()) {
                    try (Jedis j = lab.connect(spare)) {
                        assertThat(j.dbSize()).as("%s released empty", spare).isZero();
                        assertThat(j.clusterNodes().strip().lines()).as("%s knows only itself", spare).hasSize(1);
                    }
                }
                Thread.sleep(500); // deliberate: the writer goes on a moment against the cluster scaled back in
                writing.set(false);
                writer.join();

                // 3. The writer: no error, every acknowledged write readable.
                assertThat(writeErrors).isEmpty();
                assertThat(acknowledged).hasSizeGreaterThan(1000);
                // Read with a client that knows the new slot map (as an application does once the topology push
                // reaches it): an idle client whose map still names the drained, reset master gets CLUSTERDOWN from it.
                try (JedisCluster fresh = client(lab)) {
                    acknowledged.forEach((k, v) -> assertThat(fresh.get(k)).as(k).isEqualTo(v));
                }
                System.out.printf("writer: %d writes acknowledged, 0 errors, 0 lost%n", acknowledged.size());
                assertThat(agent.get("/q/metrics").body()).contains("cahoots_scaling_redis_decisions_total{applied=\"true\",kind=\"scale-out\"} 1.0",
                        "cahoots_scaling_redis_decisions_total{applied=\"true\",kind=\"scale-in\"} 1.0");
            } finally {
                writing.set(false);
            }
        }
    }

    /** The fullest master's used_memory over maxmemory, read directly. */
    static double fullestPercent(RedisLab lab) {
        double worst = 0;
        for (HostPort m : lab.masters()) {
            try (Jedis j = lab.connect(m)) {
                String info = j.info("memory");
                long used = Long.parseLong(info.lines().filter(l -> l.startsWith("used_memory:")).findFirst().orElseThrow().substring(12).trim());
                long max = Long.parseLong(info.lines().filter(l -> l.startsWith("maxmemory:")).findFirst().orElseThrow().substring(10).trim());
                worst = Math.max(worst, 100.0 * used / max);
            }
        }
        return worst;
    }

    static JsonNode redis(AgentProcess agent) throws Exception {
        return JSON.readTree(agent.get("/api/v1/scaling").body()).get("redis");
    }

    static List<String> reasons(AgentProcess agent) throws Exception {
        List<String> out = new ArrayList<>();
        redis(agent).get("decisions").forEach(d -> out.add(d.get("reason").asText()));
        return out;
    }

    static List<String> types(AgentProcess agent) throws Exception {
        List<String> out = new ArrayList<>();
        JsonNode jobs = JSON.readTree(agent.get("/api/v1/jobs").body());
        (jobs.has("jobs") ? jobs.get("jobs") : jobs).forEach(j -> {
            out.add(j.get("type").asText());
            assertThat(j.get("state").asText()).as("%s", j).isEqualTo("SUCCEEDED");
        });
        return out;
    }

    static JedisCluster client(RedisLab lab) {
        return new JedisCluster(lab.masters().stream().map(h -> new HostAndPort(h.host(), h.port())).collect(Collectors.toSet()),
                DefaultJedisClientConfig.builder().build(), 10, new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>());
    }

    static String join(List<HostPort> nodes) {
        return nodes.stream().map(HostPort::toString).collect(Collectors.joining(","));
    }

    static List<HostPort> concat(List<HostPort> a, List<HostPort> b) {
        List<HostPort> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
