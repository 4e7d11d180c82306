package io.cahoots.agent.security;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.redis.AclRules;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.RedisException;
import io.cahoots.agent.redis.lab.RedisLab;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
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
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The agent's core features under its least-privilege ACL user (docs/security.md): observe, policy with enforcement,
 * add + rebalance + remove under a writer (MIGRATE authenticates as the same user on the target), fix, the lease
 * and journal; and a user missing one command gets a refusal naming the command and the feature.
 */
@QuarkusTest
@QuarkusTestResource(value = AclLab.class, restrictToAnnotatedClass = true)
class AclLabTest {

    private static final String TOKEN = "Bearer " + AclLab.ADMIN_TOKEN;

    @BeforeEach
    void ready() {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/api/v1/cluster/check").jsonPath().getBoolean("ok")
                && given().get("/api/v1/jobs").jsonPath().getList("state").stream().noneMatch(s -> "RUNNING".equals(s) || "PENDING".equals(s)));
    }

    @Test
    void observesAndAuditsPolicyUnderTheAgentUser() {
        List<Map<String, Object>> nodes = given().get("/api/v1/cluster").jsonPath().getList("nodes");
        assertThat(nodes).hasSize(6).allMatch(n -> "ok".equals(n.get("health")) && n.get("error") == null
                && n.get("keys") != null && n.get("commandLatencyUsec") != null);
        assertThat(given().get("/api/v1/sentinel").asString()).contains(AclLab.get().sentinelPrimary().toString());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String policy = given().get("/api/v1/policy").asString();
            assertThat(policy).doesNotContain("NOPERM").doesNotContain("may not run");
            assertThat(given().get("/api/v1/policy").jsonPath().getList("nodes")).isNotEmpty();
        });
        Response preview = given().contentType(ContentType.JSON).body("{}").post("/api/v1/rebalance");
        assertThat(preview.statusCode()).as(preview.asString()).isEqualTo(200);
    }

    @Test
    void addRebalanceRemoveAndFixUnderTheAgentUserLoseNoKey() throws Exception {
        RedisLab lab = AclLab.get();
        HostPort spare = lab.spareNodes().get(0);
        // The test's client is the default user; only the agent runs as the least-privilege user.
        try (JedisCluster client = new JedisCluster(Set.of(new HostAndPort("127.0.0.1", lab.masters().get(0).port())),
                DefaultJedisClientConfig.builder().socketTimeoutMillis(5000).build(), 20, new GenericObjectPoolConfig<>());
             AckedWriter writer = new AckedWriter(client, "acl", 5000)) {
            awaitJob(post("/api/v1/cluster/nodes", "{\"address\": \"" + spare + "\", \"rebalance\": true}"));
            String id = given().get("/api/v1/cluster").jsonPath().getList("nodes", Map.class).stream()
                    .filter(n -> spare.toString().equals(n.get("address"))).map(n -> (String) n.get("id")).findFirst().orElseThrow();
            Response removed = given().header("Authorization", TOKEN).delete("/api/v1/cluster/nodes/" + id);
            assertThat(removed.statusCode()).as(removed.asString()).isEqualTo(202);
            awaitJob(removed.jsonPath().getString("id"));
            assertThat(writer.stopAndFindLost()).as("acknowledged keys lost or changed out of %d", writer.written()).isEmpty();
            assertThat(writer.written()).isGreaterThan(5000);
        }
        HostPort master = lab.masters().get(0);
        String otherId;
        try (Jedis j = lab.node(lab.masters().get(1)).connect()) {
            otherId = j.clusterMyId();
        }
        try (Jedis j = lab.node(master).connect()) {
            String myself = j.clusterNodes().lines().filter(l -> l.contains("myself")).findFirst().orElseThrow();
            j.clusterSetSlotMigrating(Integer.parseInt(myself.split(" ")[8].split("-")[0]), otherId);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !given().get("/api/v1/cluster/check").jsonPath().getBoolean("ok"));
        awaitJob(post("/api/v1/cluster/fix", "{}"));
    }

    /** A user whose rule lacks one command: the refusal names the command and the feature that needs it. */
    @Test
    void aMissingCommandIsNamedWithItsFeature() {
        RedisLab lab = AclLab.get();
        String limited = AclRules.rule().replace(" +cluster|countkeysinslot", "");
        for (HostPort n : lab.clusterNodes()) {
            try (Jedis j = lab.node(n).connect()) {
                j.sendCommand(Protocol.Command.ACL, ("SETUSER limited-agent on >limited-password-0123 " + limited).split(" "));
            }
        }
        HostPort node = lab.masters().get(0);
        try (RedisConnections c = new RedisConnections(new Credentials(Optional.of("limited-agent"), Optional.of("limited-password-0123")),
                Credentials.NONE, false, Duration.ofSeconds(2))) {
            String pong = c.onNode(node, Jedis::ping);
            assertThat(pong).isEqualTo("PONG");
            assertThatThrownBy(() -> c.onNode(node, j -> j.sendCommand(Protocol.Command.CLUSTER, "COUNTKEYSINSLOT", "0")))
                    .isInstanceOf(RedisException.CommandFailed.class)
                    .hasMessageContaining("may not run 'cluster|countkeysinslot'")
                    .hasMessageContaining("which the agent needs for observe");
        }
    }

    private static String post(String path, String body) {
        Response r = given().contentType(ContentType.JSON).header("Authorization", TOKEN).body(body).post(path);
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
        return r.jsonPath().getString("id");
    }

    private static void awaitJob(String id) {
        await().atMost(Duration.ofSeconds(180)).until(() -> given().get("/api/v1/jobs/" + id).jsonPath().getString("state"),
                s -> !s.equals("PENDING") && !s.equals("RUNNING"));
        Response job = given().get("/api/v1/jobs/" + id);
        assertThat(job.jsonPath().getString("state")).as(job.asString()).isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/api/v1/cluster/check").jsonPath().getBoolean("ok"));
    }
}
