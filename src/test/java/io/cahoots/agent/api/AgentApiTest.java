package io.cahoots.agent.api;

import io.cahoots.agent.testing.LabResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The running agent, over HTTP, watching the shared lab. */
@QuarkusTest
@QuarkusTestResource(LabResource.class)
class AgentApiTest {

    @BeforeEach
    void waitForFirstPoll() {
        // Generous: on a loaded 2-core machine the first polls of the shared lab can take a while.
        await().atMost(Duration.ofSeconds(60)).until(() -> RestAssured.get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void clusterShowsThreeMastersAndThreeReplicasCoveringAllSlots() {
        Response r = given().get("/api/v1/cluster");
        r.then().statusCode(200).body("state", equalTo("ok"));
        List<Map<String, Object>> nodes = r.jsonPath().getList("nodes");
        assertThat(nodes).hasSize(6);
        assertThat(nodes).filteredOn(n -> "master".equals(n.get("role"))).hasSize(3);
        assertThat(nodes).filteredOn(n -> "replica".equals(n.get("role"))).hasSize(3)
                .allMatch(n -> n.get("masterId") != null);
        int slots = nodes.stream().mapToInt(n -> (Integer) n.get("slotCount")).sum();
        assertThat(slots).isEqualTo(16384);
        assertThat(nodes).allMatch(n -> "ok".equals(n.get("health")) && n.get("usedMemoryBytes") != null
                && n.get("connectedClients") != null && n.get("opsPerSec") != null && n.get("keys") != null);
        Map<String, Object> master = nodes.stream().filter(n -> "master".equals(n.get("role"))).findFirst().orElseThrow();
        assertThat((List<?>) master.get("slots")).isNotEmpty();
        assertThat(r.jsonPath().getLong("version")).isPositive();
    }

    @Test
    void checkIsClean() {
        given().get("/api/v1/cluster/check").then().statusCode(200)
                .body("ok", equalTo(true)).body("agree", equalTo(true))
                .body("openSlots.size()", equalTo(0)).body("uncoveredSlots.size()", equalTo(0))
                .body("unreachable.size()", equalTo(0));
    }

    @Test
    void metricsAreExportedForPrometheus() {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(text).contains("cahoots_cluster_state_ok 1.0", "cahoots_cluster_slots_assigned 16384.0",
                "cahoots_cluster_slots_open 0.0", "cahoots_cluster_poll_duration_seconds_count",
                "cahoots_cluster_poll_duration_seconds_bucket{",
                "cahoots_redis_memory_used_bytes{", "cahoots_redis_commands_processed_total{", "cahoots_redis_clients_connected{",
                "cahoots_redis_keyspace_hits_total{", "cahoots_redis_keyspace_misses_total{", "cahoots_redis_keys{",
                "cahoots_redis_commands_duration_seconds_total{", "cahoots_redis_commands_total{",
                "cahoots_redis_replication_lag_bytes{", "cahoots_redis_up{", "cahoots_redis_node_info{", "cahoots_agent_leader 1.0");
        long nodeRows = text.lines().filter(l -> l.startsWith("cahoots_redis_up{")).count();
        assertThat(nodeRows).isEqualTo(6);
        // Identity lives in the info series only: node series carry the node id, so a failover starts none.
        assertThat(text.lines().filter(l -> l.startsWith("cahoots_redis_") && !l.startsWith("cahoots_redis_node_info")))
                .noneMatch(l -> l.contains("role=") || l.contains("address="));
        assertThat(text.lines().filter(l -> l.startsWith("cahoots_redis_node_info{"))).hasSize(6)
                .allMatch(l -> l.contains("role=") && l.contains("address=") && l.contains("node="));
    }

    @Test
    void readinessIsUpAndSaysWhatItSees() {
        given().get("/q/health/ready").then().statusCode(200).body(containsString("redis-cluster"));
    }

    @Test
    void mutatingRequestsNeedTheToken() {
        given().body("x").post("/api/v1/test-echo").then().statusCode(401)
                .contentType("application/problem+json").body("status", equalTo(401))
                .body("detail", containsString("Bearer"));
        given().header("Authorization", "Bearer wrong-token-wrong-token").body("x").post("/api/v1/test-echo")
                .then().statusCode(401).body("detail", containsString("wrong"));
        given().header("Authorization", "Bearer " + LabResource.ADMIN_TOKEN).body("x").post("/api/v1/test-echo")
                .then().statusCode(200).body(equalTo("x"));
    }

    @Test
    void unknownPathsAnswerProblemJson() {
        given().get("/api/v1/nope").then().statusCode(404).contentType("application/problem+json");
    }
}
