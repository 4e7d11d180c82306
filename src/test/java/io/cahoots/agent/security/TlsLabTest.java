package io.cahoots.agent.security;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.RedisException;
import io.cahoots.agent.redis.RedisTls;
import io.cahoots.agent.redis.lab.LabTls;
import io.cahoots.agent.redis.lab.RedisLab;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The agent on a lab that speaks TLS only, with mutual TLS and hostname verification: it observes the cluster and
 * the Sentinels, adds a node and rebalances onto it under a writer (MIGRATE between TLS nodes), removes it again,
 * fixes an open slot, and pushes a Sentinel failover; no key is lost. A wrong CA or a wrong name is a one-line reason.
 */
@QuarkusTest
@QuarkusTestResource(value = TlsLab.class, restrictToAnnotatedClass = true)
class TlsLabTest {

    private static final String TOKEN = "Bearer " + TlsLab.ADMIN_TOKEN;

    @BeforeEach
    void ready() {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/api/v1/cluster/check").jsonPath().getBoolean("ok")
                && given().get("/api/v1/jobs").jsonPath().getList("state").stream().noneMatch(s -> "RUNNING".equals(s) || "PENDING".equals(s)));
    }

    @Test
    void observesTheClusterAndTheSentinelsOverTls() {
        Response r = given().get("/api/v1/cluster");
        List<Map<String, Object>> nodes = r.jsonPath().getList("nodes");
        assertThat(nodes).hasSize(6).allMatch(n -> "ok".equals(n.get("health")));
        assertThat(nodes.stream().mapToInt(n -> (Integer) n.get("slotCount")).sum()).isEqualTo(16384);
        assertThat(given().get("/api/v1/sentinel").asString()).contains(TlsLab.get().sentinelPrimary().toString());
    }

    @Test
    void addRebalanceRemoveUnderAWriterLosesNoKey() throws Exception {
        RedisLab lab = TlsLab.get();
        HostPort spare = lab.spareNodes().get(0);
        Map<String, String> written = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        RedisTls tls = TlsLab.files().clientTls();
        try (JedisCluster client = new JedisCluster(Set.of(new HostAndPort("127.0.0.1", lab.masters().get(0).port())),
                DefaultJedisClientConfig.builder().ssl(true).sslSocketFactory(tls.socketFactory())
                        .sslParameters(tls.parameters()).socketTimeoutMillis(5000).build(), 20,
                new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>())) {
            for (int i = 0; i < 5000; i++) {
                client.set("tls:pre:" + i, "v" + i);
                written.put("tls:pre:" + i, "v" + i);
            }
            Thread writer = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        client.set("tls:live:" + i, "w" + i);
                        written.put("tls:live:" + i, "w" + i);
                    } catch (RuntimeException moving) {
                        // a redirect storm mid-move: the key was not acknowledged, so it is not expected either
                    }
                }
            });
            writer.start();
            String add = post("/api/v1/cluster/nodes", "{\"address\": \"" + spare + "\", \"rebalance\": true}");
            awaitJob(add);
            String id = given().get("/api/v1/cluster").jsonPath().getList("nodes", Map.class).stream()
                    .filter(n -> spare.toString().equals(n.get("address"))).map(n -> (String) n.get("id")).findFirst().orElseThrow();
            assertThat(given().get("/api/v1/cluster").jsonPath().getList("nodes", Map.class).stream()
                    .filter(n -> id.equals(n.get("id"))).mapToInt(n -> (Integer) n.get("slotCount")).sum()).isGreaterThan(3000);
            Response removed = given().header("Authorization", TOKEN).delete("/api/v1/cluster/nodes/" + id);
            assertThat(removed.statusCode()).as(removed.asString()).isEqualTo(202);
            awaitJob(removed.jsonPath().getString("id"));
            stop.set(true);
            writer.join(10_000);
            List<String> lost = written.entrySet().stream().filter(e -> !e.getValue().equals(client.get(e.getKey())))
                    .map(Map.Entry::getKey).limit(10).collect(Collectors.toList());
            assertThat(lost).as("keys lost or changed out of %d", written.size()).isEmpty();
            assertThat(written.size()).isGreaterThan(5000);
        }
    }

    @Test
    void fixClosesAnOpenSlotOverTls() {
        RedisLab lab = TlsLab.get();
        HostPort master = lab.masters().get(0);
        String otherId;
        try (Jedis j = lab.node(lab.masters().get(1)).connect()) {
            otherId = j.clusterMyId();
        }
        int ownedSlot = ownedSlot(lab, master);
        try (Jedis j = lab.node(master).connect()) {
            j.clusterSetSlotMigrating(ownedSlot, otherId);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !given().get("/api/v1/cluster/check").jsonPath().getBoolean("ok"));
        awaitJob(post("/api/v1/cluster/fix", "{}"));
    }

    @Test
    void aSentinelFailoverIsPushedOverTls() {
        RedisLab lab = TlsLab.get();
        long before = given().get("/api/v1/topology").jsonPath().getLong("version");
        String primary = given().get("/api/v1/topology").jsonPath().getString("sentinel.masters.mymaster.master");
        try (Jedis s = lab.node(lab.sentinels().get(0)).connect()) {
            s.sendCommand(redis.clients.jedis.Protocol.Command.SENTINEL, "failover", lab.sentinelMasterName());
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Response t = given().get("/api/v1/topology");
            return t.jsonPath().getLong("version") > before && !primary.equals(t.jsonPath().getString("sentinel.masters.mymaster.master"));
        });
        assertThat(given().get("/api/v1/topology").jsonPath().getString("cause")).isNotBlank();
    }

    /** A client with another CA, or dialling a name the certificate does not hold, gets one line saying which. */
    @Test
    void aWrongCaOrNameIsAOneLineReason(@TempDir Path other) {
        RedisLab lab = TlsLab.get();
        HostPort node = lab.masters().get(0);
        LabTls stranger = LabTls.generate(other);
        RedisTls wrongCa = RedisTls.of(Optional.of(stranger.ca()), Optional.of(TlsLab.files().clientCert()),
                Optional.of(TlsLab.files().clientKey()), true);
        try (RedisConnections c = new RedisConnections(Credentials.NONE, Credentials.NONE, wrongCa, Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> c.onNode(node, Jedis::ping)).isInstanceOf(RedisException.class)
                    .hasMessageContaining("not signed by a CA in AGENT_REDIS_TLS_CA").hasMessageNotContaining("\n")
                    .hasMessageNotContaining("sun.security");
        }
        try (RedisConnections c = new RedisConnections(Credentials.NONE, Credentials.NONE, TlsLab.files().clientTls(), Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> c.onNode(new HostPort("localhost", node.port()), Jedis::ping))
                    .hasMessageContaining("does not name the address dialled");
            String pong = c.onNode(node, Jedis::ping);
            assertThat(pong).isEqualTo("PONG");
        }
        RedisTls noClientCert = RedisTls.of(Optional.of(TlsLab.files().ca()), Optional.empty(), Optional.empty(), true);
        try (RedisConnections c = new RedisConnections(Credentials.NONE, Credentials.NONE, noClientCert, Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> c.onNode(node, Jedis::ping)).isInstanceOf(RedisException.class)
                    .hasMessageNotContaining("\n");
        }
    }

    private static int ownedSlot(RedisLab lab, HostPort master) {
        try (Jedis j = lab.node(master).connect()) {
            String myself = j.clusterNodes().lines().filter(l -> l.contains("myself")).findFirst().orElseThrow();
            String range = myself.split(" ")[8];
            return Integer.parseInt(range.split("-")[0]);
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
