package io.cahoots.agent.api;

import io.cahoots.agent.testing.LabResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Who may read, who may change: an agent with {@code AGENT_READ_TOKEN} and two admin tokens (a rotation in
 * progress). Reads need a token, probes and the scrape do not, either admin token mutates, the read token never
 * does, and every mutating request leaves an audit line and a count, with the token named by its fingerprint.
 */
@QuarkusTest
@TestProfile(ReadTokenApiTest.Profile.class)
class ReadTokenApiTest {

    static final String READ = "read-token-0123456789abcdef";
    static final String OLD_ADMIN = "old-admin-token-0123456789";
    static final String NEW_ADMIN = "new-admin-token-0123456789";

    public static class Resource extends LabResource {
        @Override
        public Map<String, String> start() {
            Map<String, String> m = new HashMap<>(super.start());
            m.put("agent.admin-token", NEW_ADMIN + "," + OLD_ADMIN);
            m.put("agent.read-token", READ);
            return m;
        }
    }

    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Resource.class));
        }
    }

    private final List<String> auditLines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            auditLines.add(String.format(r.getMessage(), r.getParameters() == null ? new Object[0] : r.getParameters()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void ready() {
        Logger.getLogger("io.cahoots.agent.audit").addHandler(capture);
        await().atMost(Duration.ofSeconds(30)).until(() -> RestAssured.get("/q/health/ready").statusCode() == 200);
    }

    @AfterEach
    void detach() {
        Logger.getLogger("io.cahoots.agent.audit").removeHandler(capture);
    }

    @Test
    void readsNeedTheReadTokenOrAnAdminToken() {
        for (String path : List.of("/api/v1/cluster", "/api/v1/cluster/check", "/api/v1/jobs", "/api/v1/topology",
                "/api/v1/sentinel", "/api/v1/policy", "/api/v1/scaling")) {
            given().get(path).then().statusCode(401).contentType("application/problem+json")
                    .body("detail", containsString("AGENT_READ_TOKEN"));
            given().header("Authorization", "Bearer not-the-token-0123456789").get(path).then().statusCode(401);
            given().header("Authorization", "Bearer " + READ).get(path).then().statusCode(200);
            given().header("Authorization", "Bearer " + OLD_ADMIN).get(path).then().statusCode(200);
            given().header("Authorization", "Bearer " + NEW_ADMIN).get(path).then().statusCode(200);
        }
        // A rebalance preview is a read.
        given().contentType("application/json").body("{}").post("/api/v1/rebalance").then().statusCode(401);
        given().header("Authorization", "Bearer " + READ).contentType("application/json").body("{}")
                .post("/api/v1/rebalance").then().statusCode(200);
    }

    @Test
    void probesScrapeAndConsoleFilesStayOpenWithSecurityHeaders() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/").then().statusCode(200)
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("X-Content-Type-Options", equalTo("nosniff"))
                .header("Referrer-Policy", equalTo("no-referrer"));
        given().header("Authorization", "Bearer " + READ).get("/api/v1/cluster").then()
                .header("X-Content-Type-Options", equalTo("nosniff"));
    }

    @Test
    void eitherAdminTokenMutatesTheReadTokenNeverAndEveryAttemptIsAudited() {
        given().header("Authorization", "Bearer " + OLD_ADMIN).body("a").post("/api/v1/test-echo").then().statusCode(200);
        given().header("Authorization", "Bearer " + NEW_ADMIN).body("b").post("/api/v1/test-echo").then().statusCode(200);
        given().header("Authorization", "Bearer " + READ).body("c").post("/api/v1/test-echo").then().statusCode(401);
        given().body("d").post("/api/v1/test-echo").then().statusCode(401);
        given().header("Authorization", "Bearer " + READ).contentType("application/json").body("{\"dryRun\": false}")
                .post("/api/v1/rebalance").then().statusCode(401);

        String oldPrint = AdminAuth.fingerprint("Bearer " + OLD_ADMIN);
        String newPrint = AdminAuth.fingerprint("Bearer " + NEW_ADMIN);
        String readPrint = AdminAuth.fingerprint("Bearer " + READ);
        assertThat(oldPrint).hasSize(8).isNotEqualTo(newPrint);
        assertThat(auditLines).anyMatch(l -> l.contains("result=accepted token=" + oldPrint + " method=POST path=/api/v1/test-echo remote=127.0.0.1"))
                .anyMatch(l -> l.contains("result=accepted token=" + newPrint + " method=POST path=/api/v1/test-echo"))
                .anyMatch(l -> l.contains("result=refused-wrong-token token=" + readPrint + " method=POST path=/api/v1/test-echo"))
                .anyMatch(l -> l.contains("result=refused-missing-token token=- method=POST path=/api/v1/test-echo"))
                .anyMatch(l -> l.contains("result=refused-wrong-token token=" + readPrint + " method=POST path=/api/v1/rebalance"));
        assertThat(String.join("\n", auditLines)).doesNotContain(OLD_ADMIN, NEW_ADMIN, READ);

        String metrics = given().get("/q/metrics").asString();
        assertThat(metrics).containsPattern("cahoots_audit_requests_total\\{[^}]*result=\"accepted\"[^}]*\\} [1-9]")
                .containsPattern("cahoots_audit_requests_total\\{[^}]*result=\"refused-wrong-token\"[^}]*route=\"/api/v1/rebalance\"[^}]*\\} [1-9]")
                .containsPattern("cahoots_audit_requests_total\\{[^}]*result=\"refused-missing-token\"");
    }
}
