package io.cahoots.agent.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import io.cahoots.agent.bench.Load;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import io.cahoots.agent.testing.containers.ContainerLauncher;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Scale-in against nodes under a hard memory limit: the three masters that would take a leaving master's slots run
 * in containers limited to 64 MiB (swap off), their {@code maxmemory} set inside that limit, too close to their use
 * to take a third each of the leaving master's data. The packaged agent's headroom check must refuse the removal
 * (409, saying why) before anything moves: no slot moved, every key where it was, no node OOM-killed.
 */
class MemoryLimitContainerIT {

    private static final int KEYS = 20_000;
    private static final int VALUE_BYTES = 1000;
    private static final long LIMIT = 64L << 20;
    private static final String TOKEN = "memory-limit-test-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theHeadroomCheckRefusesADrainIntoMemoryLimitedNodesAndNothingMoves() throws Exception {
        try (RedisLab lab = RedisLab.start(LabSpec.builder().launcher(new ContainerLauncher())
                .masters(4).replicasPerMaster(0).clusterNodeTimeoutMillis(5000).build())) {
            Load.fill(lab, KEYS, VALUE_BYTES);
            HostPort leaving = lab.masters().get(0);
            List<HostPort> others = lab.masters().subList(1, 4);
            long needed;
            try (Jedis j = lab.connect(leaving)) {
                needed = usedMemory(j);
            }
            long free = 0;
            for (HostPort m : others) {
                ContainerLauncher.docker().updateContainerCmd(ContainerLauncher.containerId(m))
                        .withMemory(LIMIT).withMemorySwap(LIMIT).exec();
                try (Jedis j = lab.connect(m)) {
                    long used = usedMemory(j);
                    long max = used + needed / 6; // half of what a third of the leaving master's data needs
                    j.configSet("maxmemory", Long.toString(max));
                    free += max - used;
                }
            }
            Map<HostPort, String> slotsBefore = slotsByMaster(lab);

            try (AgentProcess agent = AgentProcess.start(Map.of(
                    "AGENT_CLUSTER_NODES", lab.masters().stream().map(HostPort::toString).collect(Collectors.joining(",")),
                    "AGENT_ADMIN_TOKEN", TOKEN))) {
                agent.awaitHttp(Duration.ofSeconds(90));
                String[] id = new String[1];
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(agent.get("/q/health/ready").statusCode()).isEqualTo(200);
                    JsonNode nodes = JSON.readTree(agent.get("/api/v1/cluster").body()).get("nodes");
                    assertThat(nodes).hasSize(4);
                    for (JsonNode n : nodes) {
                        if (n.get("address").asText().equals(leaving.toString())) {
                            id[0] = n.get("id").asText();
                        }
                    }
                    assertThat(id[0]).isNotNull();
                });
                HttpResponse<String> refused = agent.delete("/api/v1/cluster/nodes/" + id[0], TOKEN);
                System.out.printf("FIGURE memory limit: leaving master uses %d MiB, the others have %d MiB free under"
                        + " maxmemory (%d MiB hard limit each): %d %s%n", needed >> 20, free >> 20, LIMIT >> 20,
                        refused.statusCode(), refused.body());
                assertThat(refused.statusCode()).isEqualTo(409);
                assertThat(refused.body()).contains("not enough memory headroom").contains(leaving.toString());
                Thread.sleep(1000); // a job that started anyway would have moved something by now
            }

            assertThat(slotsByMaster(lab)).as("no slot moved").isEqualTo(slotsBefore);
            long total = 0;
            for (HostPort m : lab.masters()) {
                try (Jedis j = lab.connect(m)) {
                    total += j.keys("key:*").size(); // the agent keeps a few keys of its own in the cluster
                }
                InspectContainerResponse c = ContainerLauncher.docker().inspectContainerCmd(ContainerLauncher.containerId(m)).exec();
                assertThat(c.getState().getOOMKilled()).as(m + " OOM-killed").isFalse();
                assertThat(c.getState().getRunning()).as(m + " running").isTrue();
            }
            assertThat(total).as("test keys across the masters").isEqualTo(KEYS);
            int wrong = 0;
            String value = "v".repeat(VALUE_BYTES);
            Map<HostPort, List<String>> byOwner = new java.util.HashMap<>();
            for (int i = 0; i < KEYS; i++) {
                String key = "key:" + i;
                byOwner.computeIfAbsent(ownerOf(lab, JedisClusterCRC16.getSlot(key)), k -> new java.util.ArrayList<>()).add(key);
            }
            for (Map.Entry<HostPort, List<String>> e : byOwner.entrySet()) {
                try (Jedis j = lab.connect(e.getKey())) {
                    redis.clients.jedis.Pipeline p = j.pipelined();
                    List<redis.clients.jedis.Response<String>> got = e.getValue().stream().map(p::get).toList();
                    p.sync();
                    wrong += (int) got.stream().filter(r -> !value.equals(r.get())).count();
                }
            }
            assertThat(wrong).as("keys lost or changed").isZero();
        }
    }

    private static long usedMemory(Jedis j) {
        return j.info("memory").lines().filter(l -> l.startsWith("used_memory:")).findFirst()
                .map(l -> Long.parseLong(l.substring("used_memory:".length()).trim())).orElseThrow();
    }

    private static Map<HostPort, String> slotsByMaster(RedisLab lab) {
        try (Jedis j = lab.connect(lab.masters().get(0))) {
            return j.clusterNodes().lines().map(l -> l.split(" "))
                    .filter(f -> f[2].contains("master"))
                    .collect(Collectors.toMap(f -> HostPort.parse(f[1].split("@")[0]),
                            f -> String.join(" ", java.util.Arrays.copyOfRange(f, 8, f.length))));
        }
    }

    private static final Map<Integer, HostPort> OWNERS = new java.util.concurrent.ConcurrentHashMap<>();

    private static HostPort ownerOf(RedisLab lab, int slot) {
        if (OWNERS.isEmpty()) {
            try (Jedis j = lab.connect(lab.masters().get(0))) {
                for (String line : j.clusterNodes().lines().toList()) {
                    String[] f = line.split(" ");
                    if (!f[2].contains("master")) {
                        continue;
                    }
                    HostPort a = HostPort.parse(f[1].split("@")[0]);
                    for (int k = 8; k < f.length; k++) {
                        if (f[k].startsWith("[")) {
                            continue;
                        }
                        String[] r = f[k].split("-");
                        int lo = Integer.parseInt(r[0]);
                        int hi = r.length > 1 ? Integer.parseInt(r[1]) : lo;
                        for (int s = lo; s <= hi; s++) {
                            OWNERS.put(s, a);
                        }
                    }
                }
            }
        }
        return OWNERS.get(slot);
    }
}
