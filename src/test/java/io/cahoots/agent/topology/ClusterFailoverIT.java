package io.cahoots.agent.topology;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import io.cahoots.agent.testing.PushAgent;
import io.cahoots.agent.testing.PushChannelListener;
import io.cahoots.agent.testing.SseClient;
import io.cahoots.agent.testing.WebhookReceiver;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cluster side, on a lab of its own (the shared lab's cluster is never broken): a master is killed, its replica is
 * promoted by the cluster, and the event stream, a signed webhook, pub/sub (received on a node of another shard, so
 * the cluster bus carried it) and GET /topology all show the promoted replica owning the slots.
 */
class ClusterFailoverIT {

    private static final String SECRET = "cluster-it-secret-0123456789";

    @Test
    void aKilledMasterIsReplacedByItsReplicaOnEveryChannel() throws Exception {
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(1).build());
             WebhookReceiver receiver = WebhookReceiver.start();
             AgentProcess agent = AgentProcess.start(Map.of(
                     "AGENT_CLUSTER_NODES", lab.masters().get(1).toString(),
                     "AGENT_POLL_INTERVAL", "200ms",
                     "AGENT_REDIS_TIMEOUT", "300ms",
                     "AGENT_PUSH_WEBHOOKS", receiver.uri("/topology").toString(),
                     "AGENT_PUSH_WEBHOOK_SECRET", SECRET))) {
            agent.awaitHttp(Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(20)).until(() -> agent.get("/api/v1/topology").statusCode() == 200
                    && PushAgent.json(agent, "/api/v1/topology").getList("cluster.shards").size() == 3);
            HostPort victim = lab.masters().get(0);
            JsonPath before = PushAgent.json(agent, "/api/v1/topology");
            List<Map<String, Object>> shards = before.getList("cluster.shards");
            assertThat(shards).hasSize(3);
            Map<String, Object> victimShard = shards.stream().filter(s -> s.get("master").equals(victim.toString())).findFirst().orElseThrow();
            String heir = ((List<String>) victimShard.get("replicas")).get(0);
            Object victimSlots = victimShard.get("slots");
            Map<String, Object> otherShard = shards.stream().filter(s -> s != victimShard).findFirst().orElseThrow();
            HostPort elsewhere = HostPort.parse(((List<String>) otherShard.get("replicas")).get(0));

            try (SseClient sse = PushAgent.stream(agent);
                 PushChannelListener pubsub = PushChannelListener.subscribe(elsewhere, "cahoots:topology")) {
                sse.await(e -> true, Duration.ofSeconds(5));
                long t0 = System.nanoTime();
                lab.node(victim).kill();

                SseClient.Event event = sse.await(e -> heir.equals(masterOf(e.data(), victimSlots)), Duration.ofSeconds(30));
                System.out.printf("FIGURE cluster master killed to SSE event (node timeout 1s, poll 200ms): %d ms%n",
                        (event.arrivedNanos() - t0) / 1_000_000);
                long version = Long.parseLong(event.id());
                assertThat(JsonPath.from(event.data()).getString("cause")).isEqualTo(Causes.FAILOVER);

                WebhookReceiver.Delivery hook = receiver.await(d -> heir.equals(masterOf(d.text(), victimSlots)), Duration.ofSeconds(5));
                assertThat(Signatures.verify(SECRET.getBytes(StandardCharsets.UTF_8), hook.body(), hook.header(Signatures.HEADER))).isTrue();
                PushChannelListener.Message message = pubsub.await(m -> heir.equals(masterOf(m, victimSlots)), Duration.ofSeconds(5));
                assertThat(JsonPath.from(message.text()).getLong("version")).isGreaterThanOrEqualTo(version);

                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    String now = agent.get("/api/v1/topology").body();
                    assertThat(masterOf(now, victimSlots)).isEqualTo(heir);
                    assertThat(now).as("the dead master is gone from the view").doesNotContain("\"" + victim + "\"");
                });
                assertThat(sse.events()).extracting(e -> Long.parseLong(e.id())).isSorted().doesNotHaveDuplicates();
                assertThat(receiver.deliveries()).extracting(d -> Long.parseLong(d.header("X-Agent-Topology-Version")))
                        .isSorted().doesNotHaveDuplicates();
                assertThat(pubsub.messages()).extracting(m -> JsonPath.from(m.text()).getLong("version")).isSorted();
            }
        }
    }

    /** The master of the shard holding exactly {@code slots}, or null. */
    private static String masterOf(String json, Object slots) {
        List<Map<String, Object>> shards = JsonPath.from(json).getList("cluster.shards");
        return shards.stream().filter(s -> s.get("slots").equals(slots)).map(s -> (String) s.get("master")).findFirst().orElse(null);
    }
}
