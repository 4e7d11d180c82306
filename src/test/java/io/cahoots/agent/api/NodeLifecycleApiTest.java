package io.cahoots.agent.api;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.ClientLoad;
import io.cahoots.agent.testing.AgentApi;
import io.cahoots.agent.testing.LabResource;
import io.cahoots.agent.testing.SharedLab;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * Adding and removing nodes over HTTP on the shared lab, under a cluster client's load, every key checked;
 * and every refusal. The lab ends as it began: 3 masters with a replica each.
 */
@QuarkusTest
@QuarkusTestResource(LabResource.class)
class NodeLifecycleApiTest {

    private static final String TOKEN = "Bearer " + LabResource.ADMIN_TOKEN;

    @BeforeEach
    void ready() {
        AgentApi.awaitIdleAndClean();
    }

    private static Response post(String path, String body) {
        return given().contentType(ContentType.JSON).header("Authorization", TOKEN).body(body).post(path);
    }

    private static String addNode(String body) {
        return post("/api/v1/cluster/nodes", body).then().statusCode(202).extract().jsonPath().getString("id");
    }

    private static void awaitJob(String id) {
        await().atMost(Duration.ofSeconds(120)).until(() -> given().get("/api/v1/jobs/" + id).jsonPath().getString("state"),
                s -> !s.equals("PENDING") && !s.equals("RUNNING"));
        Response job = given().get("/api/v1/jobs/" + id);
        assertThat(job.jsonPath().getString("state")).as(job.asString()).isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(15)).until(() -> given().get("/api/v1/cluster/check").jsonPath().getBoolean("ok"));
    }

    private static List<Map<String, Object>> nodes() {
        return given().get("/api/v1/cluster").jsonPath().getList("nodes");
    }

    private static Optional<Map<String, Object>> nodeAt(HostPort address) {
        return nodes().stream().filter(n -> address.toString().equals(n.get("address"))).findFirst();
    }

    @Test
    void refusalsSayWhy() {
        RedisLab lab = SharedLab.get();
        post("/api/v1/cluster/nodes", "{\"address\": \"no-port\"}").then().statusCode(400).body("detail", containsString("address"));
        post("/api/v1/cluster/nodes", "{\"address\": \"127.0.0.1:1\", \"role\": \"boss\"}").then().statusCode(400)
                .body("detail", containsString("role"));
        post("/api/v1/cluster/nodes", "{\"address\": \"127.0.0.1:1\"}").then().statusCode(409)
                .body("detail", containsString("cannot be reached"));
        post("/api/v1/cluster/nodes", "{\"address\": \"" + lab.sentinelPrimary() + "\"}").then().statusCode(409)
                .body("detail", containsString("not cluster-enabled"));
        post("/api/v1/cluster/nodes", "{\"address\": \"" + lab.masters().get(0) + "\"}").then().statusCode(409)
                .body("detail", containsString("already a member"));
        post("/api/v1/cluster/nodes", "{\"address\": \"" + lab.masters().get(0) + "\", \"role\": \"replica\", \"masterId\": \"nope\"}")
                .then().statusCode(400).body("detail", containsString("masterId nope"));
        given().header("Authorization", TOKEN).delete("/api/v1/cluster/nodes/no-such-id").then().statusCode(404);
        given().delete("/api/v1/cluster/nodes/no-such-id").then().statusCode(401);

        HostPort full = lab.startSpareNode();
        try (Jedis j = lab.connect(full)) {
            // A lone cluster node only takes a write for a slot it serves: serve one, write, let it go again.
            j.configSet("cluster-require-full-coverage", "no");
            String slot = Long.toString(j.clusterKeySlot("x"));
            j.sendCommand(Protocol.Command.CLUSTER, "ADDSLOTS", slot);
            await().atMost(Duration.ofSeconds(10)).until(() -> j.clusterInfo().contains("cluster_state:ok"));
            j.set("x", "y");
            j.sendCommand(Protocol.Command.CLUSTER, "DELSLOTS", slot);
        }
        post("/api/v1/cluster/nodes", "{\"address\": \"" + full + "\"}").then().statusCode(409).body("detail", containsString("not empty"));

        HostPort a = lab.startSpareNode();
        HostPort b = lab.startSpareNode();
        try (Jedis j = lab.connect(a)) {
            j.sendCommand(Protocol.Command.CLUSTER, "MEET", b.host(), Integer.toString(b.port()),
                    Integer.toString(lab.node(b).clusterBusPort()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Jedis j = lab.connect(a)) {
                return j.clusterNodes().lines().count() == 2;
            }
        });
        post("/api/v1/cluster/nodes", "{\"address\": \"" + a + "\"}").then().statusCode(409).body("detail", containsString("another cluster"));
    }

    @Test
    void addAMasterWithRebalanceAndAReplicaThenRemoveBothUnderLoad() throws Exception {
        RedisLab lab = SharedLab.get();
        HostPort master = lab.spareNodes().get(0);
        HostPort replica = lab.startSpareNode();
        String firstId;
        try (ClientLoad load = new ClientLoad(lab.masters(), "lifecycle", 2)) {
            awaitJob(addNode("{\"address\": \"" + master + "\", \"role\": \"master\", \"rebalance\": true}"));
            Map<String, Object> added = nodeAt(master).orElseThrow();
            firstId = (String) added.get("id");
            assertThat(added.get("role")).isEqualTo("master");
            assertThat((Integer) added.get("slotCount")).isBetween(4095, 4097);
            assertThat(nodes().stream().filter(n -> "master".equals(n.get("role")))).hasSize(4);

            awaitJob(addNode("{\"address\": \"" + replica + "\", \"role\": \"replica\"}"));
            // The master with the fewest replicas is the new one.
            assertThat(nodeAt(replica).orElseThrow().get("masterId")).isEqualTo(added.get("id"));

            String removeMaster = given().header("Authorization", TOKEN).delete("/api/v1/cluster/nodes/" + added.get("id"))
                    .then().statusCode(202).extract().jsonPath().getString("id");
            awaitJob(removeMaster);
            assertThat(nodeAt(master)).isEmpty();
            assertThat(nodes().stream().filter(n -> "master".equals(n.get("role")))).hasSize(3);
            Map<String, Object> repointed = nodeAt(replica).orElseThrow();
            assertThat(repointed.get("masterId")).isNotEqualTo(added.get("id")).isNotNull();
            load.stopAndVerify();
        }
        String removeReplica = given().header("Authorization", TOKEN)
                .delete("/api/v1/cluster/nodes/" + nodeAt(replica).orElseThrow().get("id")).then().statusCode(202)
                .extract().jsonPath().getString("id");
        awaitJob(removeReplica);
        assertThat(nodeAt(replica)).isEmpty();
        assertThat(nodes()).hasSize(6);
        // The removed master was reset hard (a new node id) and can join again at once: with its old id the
        // others' 60 s ban after CLUSTER FORGET held the re-add until it ran out.
        try (Jedis j = lab.connect(master)) {
            assertThat(j.clusterNodes().lines().count()).isEqualTo(1);
            assertThat(j.dbSize()).isZero();
            assertThat(j.clusterMyId()).isNotEqualTo(firstId);
        }
        long rejoin = System.nanoTime();
        awaitJob(addNode("{\"address\": \"" + master + "\", \"role\": \"master\"}"));
        assertThat(Duration.ofNanos(System.nanoTime() - rejoin)).isLessThan(Duration.ofSeconds(30));
        String again = (String) nodeAt(master).orElseThrow().get("id");
        awaitJob(given().header("Authorization", TOKEN).delete("/api/v1/cluster/nodes/" + again)
                .then().statusCode(202).extract().jsonPath().getString("id"));
        assertThat(nodes()).hasSize(6);
    }
}
