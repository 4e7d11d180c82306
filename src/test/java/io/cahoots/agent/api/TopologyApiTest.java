package io.cahoots.agent.api;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.LabResource;
import io.cahoots.agent.testing.SharedLab;
import io.cahoots.agent.testing.SseClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The topology and Sentinel endpoints of the running agent, watching the shared lab. Nothing here changes the lab; the
 * failover ITs use labs of their own. (Which Sentinel node is primary is not assumed.)
 */
@QuarkusTest
@QuarkusTestResource(LabResource.class)
class TopologyApiTest {

    private final RedisLab lab = SharedLab.get();

    @BeforeEach
    void waitForTheFirstView() {
        await().atMost(Duration.ofSeconds(20)).until(() -> RestAssured.get("/api/v1/topology").statusCode() == 200);
    }

    @Test
    void theViewHasTheContractShapeAndAnETag() {
        Response r = given().get("/api/v1/topology");
        r.then().statusCode(200).contentType("application/json");
        JsonPath json = r.jsonPath();
        long version = json.getLong("version");
        assertThat(r.header("ETag")).isEqualTo("\"" + version + "\"");
        assertThat(json.getString("cause")).isNotBlank();
        assertThat(json.getString("at")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        List<Map<String, Object>> shards = json.getList("cluster.shards");
        assertThat(shards).hasSize(3).allSatisfy(s -> {
            assertThat((List<?>) s.get("slots")).isNotEmpty();
            assertThat((List<?>) s.get("replicas")).hasSize(1);
        });
        int slots = shards.stream().flatMap(s -> ((List<List<Integer>>) s.get("slots")).stream())
                .mapToInt(range -> range.get(1) - range.get(0) + 1).sum();
        assertThat(slots).isEqualTo(16384);
        assertThat(shards).extracting(s -> HostPort.parse((String) s.get("master"))).allMatch(lab.clusterNodes()::contains);
        String master = json.getString("sentinel.masters.mymaster.master");
        assertThat(HostPort.parse(master)).isIn(groupNodes());
        assertThat(r.asString()).startsWith("{\"version\":" + version + ",\"cause\":");
    }

    @Test
    void ifNoneMatchAnswers304WhileTheViewIsUnchanged() {
        Response r = given().get("/api/v1/topology");
        String etag = r.header("ETag");
        given().header("If-None-Match", etag).get("/api/v1/topology").then().statusCode(304).header("ETag", etag);
        given().header("If-None-Match", "\"1\", W/" + etag).get("/api/v1/topology").then().statusCode(304);
        given().header("If-None-Match", "\"1\"").get("/api/v1/topology").then().statusCode(200);
        assertThat(TopologyResource.matches("*", etag)).isTrue();
        assertThat(TopologyResource.matches(null, etag)).isFalse();
    }

    @Test
    void theStreamStartsWithTheCurrentView() throws Exception {
        String current = given().get("/api/v1/topology").asString();
        try (SseClient sse = SseClient.open(URI.create("http://localhost:" + RestAssured.port + "/api/v1/topology/stream"))) {
            SseClient.Event first = sse.await(e -> true, Duration.ofSeconds(5));
            long version = JsonPath.from(first.data()).getLong("version");
            assertThat(first.id()).isEqualTo(Long.toString(version));
            assertThat(version).isGreaterThanOrEqualTo(JsonPath.from(current).getLong("version"));
            if (version == JsonPath.from(current).getLong("version")) {
                assertThat(first.data()).isEqualTo(current);
            }
        }
    }

    @Test
    void sentinelShowsTheGroupItsQuorumAndEverySentinel() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath json = given().get("/api/v1/sentinel").then().statusCode(200).extract().jsonPath();
            assertThat(json.getList("sentinels.address")).containsExactlyInAnyOrderElementsOf(
                    lab.sentinels().stream().map(HostPort::toString).toList());
            assertThat(json.getList("sentinels", Map.class)).allSatisfy(s -> {
                assertThat(s.get("reachable")).isEqualTo(true);
                assertThat(s.get("subscribed")).isEqualTo(true);
                assertThat(s.get("configured")).isEqualTo(true);
            });
            Map<String, Object> m = json.getMap("masters.mymaster");
            assertThat(HostPort.parse((String) m.get("address"))).isIn(groupNodes());
            assertThat(m.get("quorumReachable")).isEqualTo(true);
            assertThat(m.get("quorum")).isEqualTo(2);
            assertThat(m.get("sentinelsAgreeing")).isEqualTo("3/3");
            assertThat((List<Map<String, Object>>) m.get("replicas")).singleElement().satisfies(r -> {
                assertThat(r.get("online")).isEqualTo(true);
                assertThat(r.get("lagBytes")).isNotNull();
            });
            assertThat((List<?>) m.get("sentinels")).hasSize(3);
            assertThat(m).containsKey("lastFailover");
        });
    }

    @Test
    void readinessHasItsOwnSentinelCheck() {
        String body = given().get("/q/health/ready").then().statusCode(200).extract().asString();
        assertThat(body).contains("redis-sentinel").contains("3/3 reachable");
    }

    @Test
    void sentinelAndPushMetricsAreExported() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(text).contains("cahoots_sentinel_failovers_total{master=\"mymaster\"}",
                    "cahoots_sentinel_switches_rejected_total{master=\"mymaster\"}",
                    "cahoots_sentinel_quorum_reachable{master=\"mymaster\"} 1.0",
                    "cahoots_sentinel_agreeing{master=\"mymaster\"} 3.0",
                    "cahoots_topology_version ", "cahoots_topology_updates_total{cause=",
                    "cahoots_push_sse_subscribers ");
            assertThat(text.lines().filter(l -> l.startsWith("cahoots_sentinel_reachable{") && l.endsWith(" 1.0"))).hasSize(3);
            assertThat(text.lines().filter(l -> l.startsWith("cahoots_sentinel_subscribed{") && l.endsWith(" 1.0"))).hasSize(3);
        });
    }

    private List<HostPort> groupNodes() {
        List<HostPort> nodes = new java.util.ArrayList<>(lab.sentinelReplicas());
        nodes.add(lab.sentinelPrimary());
        return nodes;
    }
}
