package io.cahoots.agent.api;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.testing.AgentApi;
import io.cahoots.agent.testing.LabResource;
import io.cahoots.agent.testing.RedisCli;
import io.cahoots.agent.testing.SharedLab;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
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
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;

/** Rebalancing over HTTP on the shared lab: previews, refusals, a real run and the job API. */
@QuarkusTest
@QuarkusTestResource(LabResource.class)
class RebalanceApiTest {

    private static final String TOKEN = "Bearer " + LabResource.ADMIN_TOKEN;

    @BeforeEach
    void ready() {
        AgentApi.awaitIdleAndClean();
    }

    private List<Map<String, Object>> masters() {
        return given().get("/api/v1/cluster").jsonPath().<Map<String, Object>>getList("nodes").stream()
                .filter(n -> "master".equals(n.get("role"))).toList();
    }

    private static io.restassured.specification.RequestSpecification json(String body) {
        return given().contentType(ContentType.JSON).body(body);
    }

    @Test
    void aDryRunNeedsNoTokenAndMovesNothing() {
        String id = (String) masters().get(0).get("id");
        json("{\"weights\": {\"" + id + "\": 3}}").post("/api/v1/rebalance").then().statusCode(200)
                .body("needed", equalTo(true)).body("moves.size()", greaterThan(0))
                .body("moves[0].to", equalTo(id)).body("moves[0].toAddress", notNullValue())
                .body("moves[0].keys", notNullValue()).body("snapshotVersion", notNullValue())
                .body("nodes.find { it.id == '" + id + "' }.after", equalTo(9830)); // 16384 x 3 / (3 + 1 + 1)
        json("{}").post("/api/v1/rebalance").then().statusCode(200).body("needed", equalTo(false));
        assertThat(masters()).allMatch(m -> Math.abs((Integer) m.get("slotCount") - 5461) <= 1);
    }

    @Test
    void badInputIsA400ThatSaysWhy() {
        String id = (String) masters().get(0).get("id");
        json("{\"dryRun\": ").post("/api/v1/rebalance").then().statusCode(400)
                .contentType("application/problem+json").body("title", equalTo("Malformed JSON"));
        json("{\"weights\": {\"no-such-node\": 1}}").post("/api/v1/rebalance").then().statusCode(400)
                .body("detail", containsString("unknown master id in weights: no-such-node"));
        json("{\"weights\": {\"" + id + "\": -1}}").post("/api/v1/rebalance").then().statusCode(400)
                .body("detail", containsString(">= 0"));
        json("{\"thresholdPercent\": 150}").post("/api/v1/rebalance").then().statusCode(400)
                .body("detail", containsString("between 0 and 100"));
        json("{\"dryrun\": false}").post("/api/v1/rebalance").then().statusCode(400)
                .body("detail", containsString("dryrun"));
    }

    @Test
    void runningNeedsTheToken() {
        json("{\"dryRun\": false}").post("/api/v1/rebalance").then().statusCode(401);
        json("{\"dryRun\": false}").header("Authorization", "Bearer not-the-token-at-all").post("/api/v1/rebalance")
                .then().statusCode(401);
    }

    @Test
    void anOpenSlotRefusesTheRebalanceWithTheCheckReport() {
        Map<String, Object> a = masters().get(0);
        Map<String, Object> b = masters().get(1);
        HostPort addressA = HostPort.parse((String) a.get("address"));
        int slot = ((List<List<Integer>>) a.get("slots")).get(0).get(0);
        RedisCli.run(addressA, "cluster", "setslot", Integer.toString(slot), "migrating", (String) b.get("id"));
        try {
            json("{}").post("/api/v1/rebalance").then().statusCode(409)
                    .contentType("application/problem+json").body("type", containsString("cluster-not-ready"))
                    .body("detail", containsString("open")).body("report.openSlots[0].slot", equalTo(slot));
        } finally {
            RedisCli.run(addressA, "cluster", "setslot", Integer.toString(slot), "stable");
        }
    }

    @Test
    void aRealRebalanceRunsAsAJobAndASecondOneIsRefused() {
        io.cahoots.agent.bench.Load.fill(SharedLab.get(), 20_000, 50);
        String id = (String) masters().get(0).get("id");
        Response started = json("{\"dryRun\": false, \"weights\": {\"" + id + "\": 2}}").header("Authorization", TOKEN)
                .post("/api/v1/rebalance");
        started.then().statusCode(202).header("Location", containsString("/api/v1/jobs/"))
                .body("type", equalTo("rebalance")).body("state", org.hamcrest.Matchers.oneOf("PENDING", "RUNNING"))
                // The sidecar that runs it, as GET /jobs/{id} says too.
                .body("agent", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString()));
        String jobId = started.jsonPath().getString("id");
        json("{\"dryRun\": false}").header("Authorization", TOKEN).post("/api/v1/rebalance").then()
                .statusCode(409).body("type", containsString("job-running")).body("report.runningJob", equalTo(jobId));

        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/v1/jobs/" + jobId).jsonPath().getString("state"),
                s -> !s.equals("PENDING") && !s.equals("RUNNING"));
        given().get("/api/v1/jobs/" + jobId).then().body("state", equalTo("SUCCEEDED"))
                .body("progress.slotsDone", equalTo(given().get("/api/v1/jobs/" + jobId).jsonPath().getInt("progress.slotsTotal")))
                .body("progress.keysMoved", greaterThan(0)).body("finishedAt", notNullValue());
        given().post("/api/v1/jobs/" + jobId + "/cancel").then().statusCode(401);
        given().header("Authorization", TOKEN).post("/api/v1/jobs/" + jobId + "/cancel").then().statusCode(409);
        given().header("Authorization", TOKEN).post("/api/v1/jobs/nope/cancel").then().statusCode(404);
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/api/v1/cluster/check").jsonPath().getBoolean("ok"));
        assertThat(masters()).filteredOn(m -> m.get("id").equals(id)).singleElement()
                .satisfies(m -> assertThat((Integer) m.get("slotCount")).isEqualTo(8192));

        // Put the shared lab back to an even split for the other tests.
        String back = json("{\"dryRun\": false}").header("Authorization", TOKEN).post("/api/v1/rebalance")
                .then().statusCode(202).extract().jsonPath().getString("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/v1/jobs/" + back).jsonPath().getString("state"),
                s -> s.equals("SUCCEEDED") || s.equals("FAILED"));
        given().get("/api/v1/jobs/" + back).then().body("state", equalTo("SUCCEEDED"));
        assertThat(given().get("/api/v1/jobs").jsonPath().getList("id")).contains(jobId, back);
        assertThat(masters()).allMatch(m -> Math.abs((Integer) m.get("slotCount") - 5461) <= 1);
        long keys = masters().stream().mapToLong(m -> ((Number) m.get("keys")).longValue()).sum();
        assertThat(keys).isGreaterThanOrEqualTo(20_000);
    }

    @Test
    void metricsCountJobs() {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(text).contains("cahoots_job_running", "cahoots_migration_keys_moved_total");
    }
}
