package io.cahoots.agent.testing;

import io.restassured.RestAssured;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** Waits shared by the @QuarkusTests that change the shared lab. */
public final class AgentApi {

    private AgentApi() {
    }

    /** Ready, no job pending or running, and the check clean: the state every such test starts from. */
    public static void awaitIdleAndClean() {
        await().atMost(Duration.ofSeconds(60)).until(() -> RestAssured.get("/q/health/ready").statusCode() == 200
                && RestAssured.get("/api/v1/jobs").jsonPath().getList("state").stream()
                        .noneMatch(s -> s.equals("RUNNING") || s.equals("PENDING"))
                && RestAssured.get("/api/v1/cluster/check").jsonPath().getBoolean("ok"));
    }
}
