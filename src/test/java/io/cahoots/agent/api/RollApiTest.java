package io.cahoots.agent.api;

import io.cahoots.agent.testing.LabResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code POST /api/v1/cluster/roll} where nothing can restart the nodes (the shared lab is the agent's only by
 * address, as bare machines are): a clear 409, never a job; the token is checked before that; bad input is a 400.
 * The roll itself runs on the agent's own lab in {@code RollIT}.
 */
@QuarkusTest
@QuarkusTestResource(LabResource.class)
class RollApiTest {

    private static final String TOKEN = "Bearer " + LabResource.ADMIN_TOKEN;

    @Test
    void onBareMachinesARollIsRefusedWithTheReason() {
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/cluster/roll").then().statusCode(409)
                .contentType("application/problem+json").body("type", equalTo("/problems/roll-refused"))
                .body("detail", containsString("AGENT_KUBE_REDIS_SELECTOR"));
        given().contentType(ContentType.JSON).header("Authorization", TOKEN).body("{\"dryRun\": false}")
                .post("/api/v1/cluster/roll").then().statusCode(409).body("type", equalTo("/problems/roll-refused"));
        given().get("/api/v1/jobs").then().statusCode(200).body("findAll { it.type == 'roll' }.size()", equalTo(0));
    }

    @Test
    void theRunNeedsTheTokenAndBadInputIsRefused() {
        given().contentType(ContentType.JSON).body("{\"dryRun\": false}").post("/api/v1/cluster/roll").then().statusCode(401);
        given().contentType(ContentType.JSON).header("Authorization", TOKEN).body("{\"dryRun\": false, \"nodeTimeoutSeconds\": 0}")
                .post("/api/v1/cluster/roll").then().statusCode(400).body("detail", containsString("nodeTimeoutSeconds"));
        given().contentType(ContentType.JSON).body("{\"dryRun\": \"yes\"}").post("/api/v1/cluster/roll").then().statusCode(400);
        given().contentType(ContentType.JSON).body("{\"restartEverything\": true}").post("/api/v1/cluster/roll").then().statusCode(400);
    }
}
