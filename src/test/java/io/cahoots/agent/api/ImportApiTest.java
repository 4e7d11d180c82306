package io.cahoots.agent.api;

import io.cahoots.agent.testing.AgentApi;
import io.cahoots.agent.testing.LabResource;
import io.cahoots.agent.testing.SharedLab;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;

/**
 * The import endpoints over HTTP on the shared lab: the dry run and the refusals. Nothing here starts an import (it
 * would write into the shared cluster); ImportIT runs the real thing on a lab of its own.
 */
@QuarkusTest
@QuarkusTestResource(LabResource.class)
class ImportApiTest {

    private static final String TOKEN = "Bearer " + LabResource.ADMIN_TOKEN;

    @BeforeEach
    void ready() {
        AgentApi.awaitIdleAndClean();
    }

    private static io.restassured.specification.RequestSpecification json(String body) {
        return given().contentType(ContentType.JSON).body(body);
    }

    @Test
    void aDryRunOfTheSentinelGroupNeedsNoTokenAndReportsEveryMaster() {
        json("{\"source\": \"mymaster\"}").post("/api/v1/cluster/import").then().statusCode(200)
                .body("source", containsString("mymaster")).body("masters.size()", equalTo(3))
                .body("keys", greaterThanOrEqualTo(0)).body("fits", equalTo(true))
                .body("masters[0].address", notNullValue()).body("estimatedSeconds", greaterThanOrEqualTo(0));
    }

    @Test
    void badSourcesAreRefused() {
        json("{\"source\": \"nosuchmaster\"}").post("/api/v1/cluster/import").then().statusCode(400)
                .body("detail", containsString("neither a Sentinel master"));
        json("{}").post("/api/v1/cluster/import").then().statusCode(400).body("detail", containsString("source is required"));
        String clusterNode = SharedLab.get().masters().get(0).toString();
        json("{\"source\": \"" + clusterNode + "\"}").post("/api/v1/cluster/import").then().statusCode(400)
                .body("detail", containsString("is a cluster node"));
    }

    @Test
    void runningAndCuttingOverNeedTheToken() {
        json("{\"source\": \"mymaster\", \"dryRun\": false}").post("/api/v1/cluster/import").then().statusCode(401);
        given().post("/api/v1/jobs/whatever/cutover").then().statusCode(401);
        given().header("Authorization", TOKEN).post("/api/v1/jobs/no-such-job/cutover").then().statusCode(404);
    }
}
