package io.cahoots.agent.executor;

import com.fasterxml.jackson.databind.JsonNode;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import io.cahoots.agent.testing.ClientLoad;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16, item 3 on real processes: the packaged agent scales a 3-master cluster out to 6 in ONE job (three empty
 * masters joined, then one rebalance whose moves between disjoint pairs run in parallel), then back in to 3 in ONE
 * job (the three new masters drained at once, forgotten, reset), while a cluster client writes and reads throughout: no
 * client error, no acknowledged write lost, every preloaded key in place with its value, no slot left open.
 */
class ManyShardsIT {

    static final int KEYS = 20_000;
    static final IntFunction<String> VALUE = slot -> "value-of-slot-" + slot;

    @Test
    void scaleOutThreeToSixThenInSixToThreeUnderAWriter() throws Exception {
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(0).spareNodes(3).build())) {
            List<HostPort> masters = lab.masters();
            List<HostPort> spares = lab.spareNodes();
            List<HostPort> all = new ArrayList<>(masters);
            all.addAll(spares);
            LabData.load(lab, masters, KEYS, VALUE);

            Map<String, String> env = new HashMap<>();
            env.put("AGENT_CLUSTER_NODES", masters.stream().map(HostPort::toString).collect(Collectors.joining(",")));
            env.put("AGENT_ADMIN_TOKEN", LabData.TOKEN);
            env.put("AGENT_POLL_INTERVAL", "250ms");
            try (AgentProcess agent = AgentProcess.start(env); ClientLoad load = new ClientLoad(masters, "writer", 2)) {
                agent.awaitHttp(Duration.ofSeconds(60));
                LabData.awaitCheckOk(agent);
                String spareList = spares.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(", "));

                // Refusals, before anything happens.
                assertThat(LabData.post(agent, "/api/v1/cluster/nodes", "{\"addresses\": [\"" + spares.get(0) + "\", \""
                        + spares.get(0) + "\"]}", 400).get("detail").asText()).contains("twice");
                assertThat(LabData.post(agent, "/api/v1/cluster/nodes", "{\"address\": \"" + spares.get(0) + "\", \"addresses\": ["
                        + spareList + "]}", 400).get("detail").asText()).contains("not both");
                assertThat(LabData.post(agent, "/api/v1/cluster/nodes", "{\"addresses\": [" + spareList + ", \"" + masters.get(0)
                        + "\"]}", 409).get("detail").asText()).contains("already a member");
                assertThat(LabData.post(agent, "/api/v1/cluster/nodes/remove", "{\"ids\": []}", 400).get("detail").asText())
                        .contains("ids must list");

                // 3 -> 6 in one job.
                long t0 = System.nanoTime();
                JsonNode out = LabData.post(agent, "/api/v1/cluster/nodes", "{\"addresses\": [" + spareList + "], \"rebalance\": true}", 202);
                assertThat(out.get("type").asText()).isEqualTo("add-nodes");
                JsonNode done = LabData.awaitJob(agent, out.get("id").asText(), Duration.ofSeconds(180));
                System.out.printf("scale-out 3 -> 6 in one job: %.1f s, %s slots%n", (System.nanoTime() - t0) / 1e9,
                        done.get("progress").get("slotsDone"));
                LabData.awaitCheckOk(agent);
                JsonNode cluster = LabData.JSON.readTree(agent.get("/api/v1/cluster").body());
                List<JsonNode> ms = new ArrayList<>();
                cluster.get("nodes").forEach(n -> {
                    if (n.get("role").asText().equals("master")) {
                        ms.add(n);
                    }
                });
                assertThat(ms).hasSize(6).allSatisfy(n -> assertThat(n.get("slotCount").asInt()).isBetween(2730, 2731));
                LabData.verify(lab, all, KEYS, VALUE);

                // 6 -> 3 in one job: the three new masters leave again (not the agent's seeds: a seed stays in its view).
                List<String> ids = new ArrayList<>();
                ms.stream().filter(n -> spares.stream().anyMatch(m -> m.toString().equals(n.get("address").asText())))
                        .forEach(n -> ids.add(n.get("id").asText()));
                String idList = ids.stream().map(i -> "\"" + i + "\"").collect(Collectors.joining(", "));
                assertThat(LabData.post(agent, "/api/v1/cluster/nodes/remove", "{\"ids\": [" + idList + ", \"nope\"]}", 404)
                        .get("detail").asText()).contains("nope");
                String everyId = ms.stream().map(n -> "\"" + n.get("id").asText() + "\"").collect(Collectors.joining(", "));
                assertThat(LabData.post(agent, "/api/v1/cluster/nodes/remove", "{\"ids\": [" + everyId + "]}", 409)
                        .get("detail").asText()).contains("every master");
                t0 = System.nanoTime();
                out = LabData.post(agent, "/api/v1/cluster/nodes/remove", "{\"ids\": [" + idList + "]}", 202);
                assertThat(out.get("type").asText()).isEqualTo("remove-nodes");
                LabData.awaitJob(agent, out.get("id").asText(), Duration.ofSeconds(180));
                System.out.printf("scale-in 6 -> 3 in one job: %.1f s%n", (System.nanoTime() - t0) / 1e9);
                LabData.awaitCheckOk(agent);
                cluster = LabData.JSON.readTree(agent.get("/api/v1/cluster").body());
                List<String> left = new ArrayList<>();
                cluster.get("nodes").forEach(n -> left.add(n.get("address").asText()));
                assertThat(left).containsExactlyInAnyOrderElementsOf(masters.stream().map(HostPort::toString).toList());
                for (HostPort m : spares) {
                    try (Jedis j = lab.connect(m)) {
                        assertThat(j.clusterNodes().strip().lines()).as("%s reset, knows only itself", m).hasSize(1);
                    }
                }
                LabData.verify(lab, masters, KEYS, VALUE);
                assertThat(LabData.countKeys(lab, all)).isEqualTo(KEYS);

                Thread.sleep(500); // deliberate: the writer goes on a moment against the final cluster
                load.stopAndVerify();
                System.out.printf("writer: %d operations, %d keys acknowledged, 0 errors, 0 lost%n", load.operations(), load.keys());
                assertThat(load.operations()).isGreaterThan(500);
            }
        }
    }
}
