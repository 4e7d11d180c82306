package io.cahoots.agent.caching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.resps.Slowlog;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Redis policy of the packaged agent against a dedicated lab (3 masters, no replicas, and a Sentinel group with a
 * primary and a replica), so the shared lab's settings and keys are never touched:
 * <ol>
 *   <li>report only: every data node drifts from 2gb/allkeys-lru (a fresh redis-server has 0/noeviction); the TTL
 *       audit finds exactly the seeded offenders, and Redis' own slow log shows that no cycle asked a node for more
 *       than the budget;</li>
 *   <li>enforcement on: a second agent sets every node to the policy and gives every offender its pattern's TTL,
 *       without touching keys outside the patterns or lengthening a shorter TTL; it reports what it changed.</li>
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int BUDGET = 150;
    static final String PATTERNS = "api:rate_limit:*=60,api:cache:*=300,user:session:*=3600";
    static final int CACHE_WITHOUT_TTL = 120;
    static final int CACHE_WITHIN = 90;
    static final int SESSIONS_BEYOND = 60;
    static final int OTHER = 450;
    static final int RATE_LIMIT_ON_SENTINEL_PRIMARY = 40;

    static RedisLab lab;

    @BeforeAll
    static void seed() {
        lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(0)
                .sentinelGroup(true).sentinelReplicas(1).sentinels(3).build());
        try (JedisCluster c = new JedisCluster(Set.of(new HostAndPort("127.0.0.1", lab.masters().get(0).port())),
                DefaultJedisClientConfig.builder().build())) {
            for (int i = 0; i < CACHE_WITHOUT_TTL; i++) {
                c.set("api:cache:bad:" + i, "v");
            }
            for (int i = 0; i < CACHE_WITHIN; i++) {
                c.setex("api:cache:ok:" + i, 120, "v");
            }
            for (int i = 0; i < SESSIONS_BEYOND; i++) {
                c.setex("user:session:long:" + i, 7200, "v");
            }
            for (int i = 0; i < OTHER; i++) {
                c.set("other:" + i, "v"); // no pattern: never judged, never touched
            }
        }
        try (Jedis j = lab.connect(lab.sentinelPrimary())) {
            for (int i = 0; i < RATE_LIMIT_ON_SENTINEL_PRIMARY; i++) {
                j.set("api:rate_limit:" + i, "1");
            }
        }
        for (HostPort m : lab.masters()) {
            try (Jedis j = lab.connect(m)) {
                // Every command into the slow log: Redis' own record of what the agent asked.
                j.configSet("slowlog-log-slower-than", "0");
                j.configSet("slowlog-max-len", "100000");
                j.slowlogReset();
            }
        }
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    static Map<String, String> env(boolean enforce, int budget) {
        Map<String, String> env = new HashMap<>();
        env.put("AGENT_CLUSTER_NODES", lab.masters().get(0).toString());
        env.put("AGENT_SENTINEL_NODES", lab.sentinels().stream().map(HostPort::toString).collect(Collectors.joining(",")));
        env.put("AGENT_POLL_INTERVAL", "200ms");
        env.put("AGENT_POLICY_TTL_PATTERNS", PATTERNS);
        env.put("AGENT_POLICY_AUDIT_INTERVAL", "2s");
        env.put("AGENT_POLICY_AUDIT_BUDGET", Integer.toString(budget));
        env.put("AGENT_POLICY_ENFORCE", Boolean.toString(enforce));
        return env;
    }

    static JsonNode policy(AgentProcess agent) throws Exception {
        HttpResponse<String> r = agent.get("/api/v1/policy");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static List<JsonNode> nodes(JsonNode policy) {
        return StreamSupport.stream(policy.get("nodes").spliterator(), false).toList();
    }

    /** Sum of a counter of the last complete pass of {@code pattern} over every audited master. */
    static long lastPass(JsonNode policy, String pattern, String field) {
        long sum = 0;
        for (JsonNode n : nodes(policy)) {
            for (JsonNode p : n.get("audit")) {
                if (p.get("pattern").asText().equals(pattern)) {
                    sum += p.get("lastPass").get(field).asLong();
                }
            }
        }
        return sum;
    }

    static boolean everyPatternPassedOnEveryMaster(JsonNode policy) {
        return nodes(policy).stream().filter(n -> n.get("role").asText().equals("master")).allMatch(n ->
                n.get("audit").size() == 3
                        && StreamSupport.stream(n.get("audit").spliterator(), false).allMatch(p -> !p.get("lastPass").isNull()));
    }

    @Test
    @Order(1)
    void driftIsReportedAndTheAuditFindsTheSeededKeysWithinItsBudget() throws Exception {
        try (AgentProcess agent = AgentProcess.start(env(false, BUDGET))) {
            agent.awaitHttp(Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode p = policy(agent);
                assertThat(p.get("sources")).hasSize(2);
                assertThat(nodes(p)).extracting(n -> n.get("group").asText())
                        .containsOnly("cluster", "sentinel:" + lab.sentinelMasterName()).hasSize(5);
            });
            JsonNode p = policy(agent);
            assertThat(p.get("expected").get("maxmemory").asText()).isEqualTo("2gb");
            assertThat(p.get("enforce").asBoolean()).isFalse();
            assertThat(p.get("nodesDrifting").asInt()).isEqualTo(5);
            for (JsonNode n : nodes(p)) {
                assertThat(n.get("maxmemoryBytes").asLong()).isZero();
                assertThat(n.get("maxmemoryPolicy").asText()).isEqualTo("noeviction");
                assertThat(n.get("drift")).extracting(JsonNode::asText).containsExactly("maxmemory-policy", "maxmemory");
            }
            String metrics = agent.get("/q/metrics").body();
            assertThat(metrics).contains("cahoots_policy_memory_drift_nodes 5.0", "cahoots_policy_enforce 0.0")
                    .containsPattern("cahoots_policy_memory_drift\\{address=\"127\\.0\\.0\\.1:\\d+\",group=\"cluster\",setting=\"maxmemory\"} 1\\.0");

            // A pass over each master's ~270 keys at 50 keys per pattern per cycle takes about 6 cycles of 2s.
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                    .until(() -> everyPatternPassedOnEveryMaster(policy(agent)));
            p = policy(agent);
            for (JsonNode n : nodes(p)) {
                assertThat(n.get("audit").isEmpty()).as("audited: %s", n).isEqualTo(n.get("role").asText().equals("replica"));
            }
            assertThat(lastPass(p, "api:cache:*", "withoutTtl")).isEqualTo(CACHE_WITHOUT_TTL);
            assertThat(lastPass(p, "api:cache:*", "beyondTtl")).isZero();
            assertThat(lastPass(p, "api:cache:*", "keysMatched")).isGreaterThanOrEqualTo(CACHE_WITHOUT_TTL + CACHE_WITHIN);
            assertThat(lastPass(p, "user:session:*", "beyondTtl")).isEqualTo(SESSIONS_BEYOND);
            assertThat(lastPass(p, "api:rate_limit:*", "withoutTtl")).isEqualTo(RATE_LIMIT_ON_SENTINEL_PRIMARY);
            assertThat(lastPass(p, "api:cache:*", "corrected")).isZero();
            assertThat(p.get("corrections")).isEmpty();
            JsonNode example = nodes(p).stream().flatMap(n -> StreamSupport.stream(n.get("audit").spliterator(), false))
                    .filter(a -> a.get("pattern").asText().equals("user:session:*") && a.get("lastPass").get("beyondTtl").asLong() > 0)
                    .findFirst().orElseThrow().get("lastPass").get("examples").get(0);
            assertThat(example.get("key").asText()).startsWith("user:session:long:");
            assertThat(example.get("ttl").asLong()).isBetween(3601L, 7200L);
        }
        for (HostPort m : lab.masters()) {
            assertBudgetRespected(m);
        }
        // Report-only changed nothing.
        try (Jedis j = lab.connect(lab.sentinelPrimary())) {
            assertThat(j.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "noeviction");
            assertThat(j.ttl("api:rate_limit:0")).isEqualTo(-1);
        }
    }

    /**
     * From the node's slow log (every command, with its arguments): the agent's SCANs, grouped into cycles (cycles are
     * 2s apart, one cycle takes milliseconds), never ask for more than the budget per cycle, each names a pattern and a
     * COUNT of at most 100, and TTL lookups never outnumber the keys SCAN was asked to examine.
     */
    static void assertBudgetRespected(HostPort master) {
        List<Slowlog> log;
        try (Jedis j = lab.connect(master)) {
            log = new ArrayList<>(j.slowlogGet(100_000));
        }
        log.sort((a, b) -> Long.compare(a.getId(), b.getId()));
        List<Slowlog> agent = log.stream().filter(e -> "cahoots-agent".equals(e.getClientName())).toList();
        List<int[]> cycles = new ArrayList<>(); // per cycle: {scan COUNT sum, TTL commands}
        long lastScanTs = Long.MIN_VALUE;
        for (Slowlog e : agent) {
            String cmd = e.getArgs().get(0).toUpperCase();
            if (cmd.equals("SCAN")) {
                List<String> a = e.getArgs();
                assertThat(a).hasSize(6);
                assertThat(a.get(2).toUpperCase()).isEqualTo("MATCH");
                assertThat(a.get(3)).isIn("api:rate_limit:*", "api:cache:*", "user:session:*");
                assertThat(a.get(4).toUpperCase()).isEqualTo("COUNT");
                int count = Integer.parseInt(a.get(5));
                assertThat(count).isBetween(1, AuditBudget.SCAN_BATCH);
                if (e.getTimeStamp() - lastScanTs >= 2 || cycles.isEmpty()) {
                    cycles.add(new int[2]);
                }
                lastScanTs = e.getTimeStamp();
                cycles.get(cycles.size() - 1)[0] += count;
            } else if (cmd.equals("TTL") && !cycles.isEmpty()) {
                cycles.get(cycles.size() - 1)[1]++;
            }
        }
        assertThat(cycles).as("audit cycles on %s", master).hasSizeGreaterThanOrEqualTo(5);
        for (int[] c : cycles) {
            assertThat(c[0]).as("keys asked for in one cycle on %s", master).isLessThanOrEqualTo(BUDGET);
            assertThat(c[1]).as("TTL lookups in one cycle on %s", master).isLessThanOrEqualTo(c[0]);
        }
        // Some cycle spent its whole budget: the pass spans cycles, so the cursor was resumed.
        assertThat(cycles).anySatisfy(c -> assertThat(c[0]).isEqualTo(BUDGET));
    }

    @Test
    @Order(2)
    void withEnforcementEveryNodeIsCorrectedAndTheChangesAreReported() throws Exception {
        try (AgentProcess agent = AgentProcess.start(env(true, 10_000))) {
            agent.awaitHttp(Duration.ofSeconds(60));
            List<HostPort> all = new ArrayList<>(lab.masters());
            all.add(lab.sentinelPrimary());
            all.addAll(lab.sentinelReplicas());
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                for (HostPort n : all) {
                    try (Jedis j = lab.connect(n)) {
                        assertThat(j.configGet("maxmemory")).containsEntry("maxmemory", Long.toString(2L << 30));
                        assertThat(j.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "allkeys-lru");
                    }
                }
            });
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode p = policy(agent);
                assertThat(p.get("nodesDrifting").asInt()).isZero();
                assertThat(nodes(p)).allSatisfy(n -> assertThat(n.get("ok").asBoolean()).isTrue());
                long ttlFixed = 0;
                for (JsonNode c : p.get("corrections")) {
                    if (c.get("setting").asText().equals("ttl")) {
                        ttlFixed += c.get("keys").asLong();
                    }
                }
                assertThat(ttlFixed).isEqualTo(CACHE_WITHOUT_TTL + SESSIONS_BEYOND + RATE_LIMIT_ON_SENTINEL_PRIMARY);
            });
            JsonNode p = policy(agent);
            List<JsonNode> configChanges = StreamSupport.stream(p.get("corrections").spliterator(), false)
                    .filter(c -> !c.get("setting").asText().equals("ttl")).toList();
            assertThat(configChanges).hasSize(10).allSatisfy(c -> assertThat(c.get("outcome").asText()).isEqualTo("applied"));
            assertThat(configChanges).filteredOn(c -> c.get("setting").asText().equals("maxmemory"))
                    .allSatisfy(c -> {
                        assertThat(c.get("from").asText()).isEqualTo("0");
                        assertThat(c.get("to").asText()).isEqualTo(Long.toString(2L << 30));
                    });
            String metrics = agent.get("/q/metrics").body();
            assertThat(metrics).contains(
                    "cahoots_policy_corrections_total{outcome=\"applied\",setting=\"maxmemory\"} 5.0",
                    "cahoots_policy_corrections_total{outcome=\"applied\",setting=\"maxmemory-policy\"} 5.0",
                    "cahoots_policy_corrections_total{outcome=\"applied\",setting=\"ttl\"} "
                            + (double) (CACHE_WITHOUT_TTL + SESSIONS_BEYOND + RATE_LIMIT_ON_SENTINEL_PRIMARY),
                    "cahoots_policy_memory_drift_nodes 0.0", "cahoots_policy_enforce 1.0");
        }
        try (JedisCluster c = new JedisCluster(Set.of(new HostAndPort("127.0.0.1", lab.masters().get(0).port())),
                DefaultJedisClientConfig.builder().build())) {
            for (int i = 0; i < CACHE_WITHOUT_TTL; i++) {
                assertThat(c.ttl("api:cache:bad:" + i)).isBetween(1L, 300L);
            }
            for (int i = 0; i < CACHE_WITHIN; i++) {
                assertThat(c.ttl("api:cache:ok:" + i)).isBetween(1L, 120L); // never lengthened
            }
            for (int i = 0; i < SESSIONS_BEYOND; i++) {
                assertThat(c.ttl("user:session:long:" + i)).isBetween(1L, 3600L);
            }
            for (int i = 0; i < OTHER; i++) {
                assertThat(c.ttl("other:" + i)).isEqualTo(-1L);
            }
        }
        try (Jedis j = lab.connect(lab.sentinelPrimary())) {
            assertThat(j.ttl("api:rate_limit:0")).isBetween(1L, 60L);
        }
    }
}
