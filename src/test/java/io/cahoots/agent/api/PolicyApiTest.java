package io.cahoots.agent.api;

import io.cahoots.agent.testing.LabResource;
import io.cahoots.agent.testing.SharedLab;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/v1/policy} over HTTP against the shared lab, report-only (the default): a fresh redis-server has
 * {@code maxmemory 0} and {@code noeviction}, so every data node, cluster and Sentinel-managed, drifts from the
 * strategy's 2gb/allkeys-lru. Nothing is changed on the shared lab; enforcement is proven on a dedicated lab in
 * {@code PolicyIT}.
 */
@QuarkusTest
@QuarkusTestResource(LabResource.class)
class PolicyApiTest {

    static JsonPath policy() {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonPath p = RestAssured.get("/api/v1/policy").then().extract().jsonPath();
            return p.getList("sources") != null && p.getList("sources").size() == 2
                    && p.getList("nodes").stream().anyMatch(n -> ((Map<?, ?>) n).get("group").toString().startsWith("sentinel:"))
                    && p.getInt("nodesChecked") >= 8;
        });
        return given().get("/api/v1/policy").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void everyDataNodeIsComparedWithTheStrategy() {
        JsonPath p = policy();
        assertThat(p.getString("expected.maxmemory")).isEqualTo("2gb");
        assertThat(p.getLong("expected.maxmemoryBytes")).isEqualTo(2L << 30);
        assertThat(p.getString("expected.maxmemoryPolicy")).isEqualTo("allkeys-lru");
        assertThat(p.getList("expected.ttlPatterns.pattern")).containsExactly("api:rate_limit:*", "api:cache:*", "user:session:*");
        assertThat(p.getList("expected.ttlPatterns.ttlSeconds")).containsExactly(60, 300, 3600);
        assertThat(p.getBoolean("enforce")).isFalse();
        assertThat(p.getString("checkedAt")).isNotNull();
        assertThat(p.getBoolean("audit.enabled")).isTrue();
        assertThat(p.getInt("audit.budgetKeysPerNode")).isEqualTo(1000);

        List<Map<String, Object>> nodes = p.getList("nodes");
        List<Map<String, Object>> cluster = nodes.stream().filter(n -> n.get("group").equals("cluster")).toList();
        List<Map<String, Object>> sentinel = nodes.stream().filter(n -> n.get("group").equals("sentinel:" + SharedLab.get().sentinelMasterName())).toList();
        assertThat(cluster).hasSizeGreaterThanOrEqualTo(6).allSatisfy(n -> assertThat(n.get("nodeId")).isNotNull());
        assertThat(sentinel).extracting(n -> n.get("role")).containsExactlyInAnyOrder("master", "replica");
        // Other tests may have a node down for a moment: that node is reported unreadable, the others are compared.
        List<Map<String, Object>> readable = nodes.stream().filter(n -> n.get("error") == null).toList();
        assertThat(readable).hasSizeGreaterThanOrEqualTo(8);
        assertThat(nodes).filteredOn(n -> n.get("error") != null).allSatisfy(n -> {
            assertThat(n.get("ok")).isEqualTo(false);
            assertThat(n.get("drift")).isEqualTo(List.of());
        });
        assertThat(readable).allSatisfy(n -> {
            assertThat(n.get("maxmemoryBytes")).isEqualTo(0);
            assertThat(n.get("maxmemory")).isEqualTo("0");
            assertThat(n.get("maxmemoryPolicy")).isEqualTo("noeviction");
            assertThat(n.get("drift")).isEqualTo(List.of("maxmemory-policy", "maxmemory"));
            assertThat(n.get("ok")).isEqualTo(false);
            assertThat((Integer) n.get("usedMemoryBytes")).isPositive();
        });
        assertThat(p.getInt("nodesDrifting")).isEqualTo(readable.size());
        assertThat(p.getList("corrections")).isEmpty();
    }

    @Test
    void driftAndCorrectionsAreExportedForPrometheus() {
        policy();
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(text).containsPattern("cahoots_policy_memory_drift\\{address=\"127\\.0\\.0\\.1:\\d+\",group=\"cluster\",setting=\"maxmemory-policy\"} 1\\.0")
                .containsPattern("cahoots_policy_memory_drift_nodes [1-9]\\d*\\.0")
                .contains("cahoots_policy_enforce 0.0",
                        "cahoots_policy_corrections_total{outcome=\"applied\",setting=\"maxmemory\"} 0.0",
                        "cahoots_policy_ttl_violations_total{kind=\"no-ttl\",pattern=\"api:cache:*\"}",
                        "cahoots_policy_audit_keys_examined_total{pattern=\"user:session:*\"}");
    }
}
