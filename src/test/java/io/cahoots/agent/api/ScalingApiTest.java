package io.cahoots.agent.api;

import io.cahoots.agent.testing.LabResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/** {@code GET /scaling} with scaling off (the default) and {@code POST /capacity} over HTTP. */
@QuarkusTest
@QuarkusTestResource(LabResource.class)
class ScalingApiTest {

    static final String VALID = """
            {"requestsPerSecond": 400, "cpuSecondsPerRequest": 0.005, "activeUsers": 10000,
             "memoryPerUserBytes": 102400, "podCpuCores": 1, "podMemoryBytes": 1073741824}""";

    static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + LabResource.ADMIN_TOKEN).contentType("application/json");
    }

    @Test
    void scalingOffIsReportedNotAnError() {
        given().get("/api/v1/scaling").then().statusCode(200)
                .body("mode", equalTo("disabled"))
                .body("modeReason", startsWith("AGENT_SCALING_ENABLED is false"))
                .body("deployment", equalTo("cahoots-api"))
                .body("minReplicas", equalTo(2)).body("maxReplicas", equalTo(10)).body("step", equalTo(2))
                .body("currentReplicas", nullValue())
                .body("decisions", empty());
    }

    @Test
    void capacityFollowsTheFormulaWithDefaults() {
        admin().body(VALID).post("/api/v1/capacity").then().statusCode(200)
                .body("input.overheadPercent", equalTo(25.0f))
                .body("input.peakFactor", equalTo(2.5f))
                .body("input.targetUtilizationPercent", equalTo(70.0f))
                .body("cpuCores.base", equalTo(2.0f))
                .body("cpuCores.peak", equalTo(6.25f))
                .body("memoryBytes.peak", equalTo(3_200_000_000L))
                .body("replicas.forCpu", equalTo(9))
                .body("replicas.forMemory", equalTo(5))
                .body("replicas.recommended", equalTo(9))
                .body("replicas.max", equalTo(10))
                .body("limitedBy", equalTo("cpu"))
                .body("warnings", empty());
    }

    @Test
    void capacityAtTheBoundWarns() {
        admin().body(VALID.replace("400", "2000")).post("/api/v1/capacity").then().statusCode(200)
                .body("replicas.needed", equalTo(45))
                .body("replicas.recommended", equalTo(10))
                .body("warnings", hasSize(1))
                .body("warnings[0]", containsString("needs 45 replicas but the maximum is 10"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"podCpuCores\": 1,                 | ''                          | podCpuCores is required",
            "\"requestsPerSecond\": 400          | \"requestsPerSecond\": \"abc\" | requestsPerSecond: expected a number greater than 0, got \"abc\"",
            "\"requestsPerSecond\": 400          | \"requestsPerSecond\": 0     | requestsPerSecond: expected a number greater than 0, got 0",
            "\"activeUsers\": 10000              | \"activeUsers\": 2.5         | activeUsers: expected a whole number",
            "\"podCpuCores\": 1,                 | \"podCpuCores\": 1, \"overheadPercent\": 35, | overheadPercent: expected a number at least 20 and at most 30, got 35",
            "\"podCpuCores\": 1,                 | \"podCpuCores\": 1, \"peakFactor\": 1.5,     | peakFactor: expected a number at least 2 and at most 3",
            "\"podCpuCores\": 1,                 | \"podCpuCores\": 1, \"targetUtilizationPercent\": 0, | targetUtilizationPercent: expected a number greater than 0 and at most 100",
            "\"podCpuCores\": 1,                 | \"podCpuCores\": 1, \"peakfactor\": 2,       | unknown field 'peakfactor'",
    })
    void aBadFieldIsA400NamingIt(String replace, String with, String detail) {
        admin().body(VALID.replace(replace, with)).post("/api/v1/capacity").then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("detail", containsString(detail));
    }

    @Test
    void notAnObjectOrNotJsonIsA400() {
        admin().body("[1, 2]").post("/api/v1/capacity").then().statusCode(400)
                .body("detail", containsString("must be a JSON object"));
        admin().body("{\"requestsPerSecond\": ").post("/api/v1/capacity").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void capacityIsAPostAndNeedsTheTokenLikeEveryPost() {
        given().contentType("application/json").body(VALID).post("/api/v1/capacity").then().statusCode(401);
    }
}
