package io.cahoots.agent.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.bench.Load;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import io.cahoots.agent.testing.PushAgent;
import io.cahoots.agent.testing.PushChannelListener;
import io.cahoots.agent.testing.SseClient;
import io.cahoots.agent.testing.WebhookReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three packaged agents on one lab (a 3-master cluster with keys, a Sentinel group), as the kit runs its sidecars: one
 * job history, one topology numbering, one copy of every push, and a leader whose death hands every duty on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetIT {

    private static final String TOKEN = "fleet-test-token-0123456789";
    private static final String CHANNEL = "it:fleet-topology";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LEASE = Duration.ofSeconds(3);

    private RedisLab lab;
    private WebhookReceiver receiver;
    private PushChannelListener subscriber;
    private Map<String, String> env;
    private final List<AgentProcess> agents = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(0).sentinelGroup(true).sentinelReplicas(1)
                .sentinels(3).sentinelFailoverTimeoutMillis(3000).clusterNodeTimeoutMillis(3000).build());
        // Enough keys, moved one per MIGRATE, that a job outlasts the second a cancel takes to reach another sidecar
        // even on a quiet machine.
        Load.fill(lab, 60_000, 50);
        receiver = WebhookReceiver.start();
        subscriber = PushChannelListener.subscribe(lab.masters().get(0), CHANNEL);
        env = Map.of(
                "AGENT_CLUSTER_NODES", lab.masters().stream().map(HostPort::toString).collect(Collectors.joining(",")),
                "AGENT_SENTINEL_NODES", lab.sentinels().stream().map(HostPort::toString).collect(Collectors.joining(",")),
                "AGENT_ADMIN_TOKEN", TOKEN,
                "AGENT_LEASE_TIMEOUT", LEASE.toSeconds() + "s",
                "AGENT_POLL_INTERVAL", "250ms",
                "AGENT_MIGRATION_BATCH_KEYS", "1",
                "AGENT_MIGRATION_PARALLELISM", "1",
                "AGENT_PUSH_WEBHOOKS", receiver.uri("/hooks/topology").toString(),
                "AGENT_PUSH_WEBHOOK_BACKOFF_MAX", "300ms",
                "AGENT_PUSH_CHANNEL", CHANNEL);
        for (int i = 0; i < 3; i++) {
            agents.add(AgentProcess.start(env));
        }
        for (AgentProcess a : agents) {
            a.awaitHttp(Duration.ofSeconds(90));
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (AgentProcess a : agents) {
            a.close();
        }
        if (subscriber != null) {
            subscriber.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void everySidecarListsTheSameThreeMembersAndOneLeader() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Set<String> leaders = new HashSet<>();
            for (AgentProcess a : agents) {
                JsonNode fleet = get(a, "/api/v1/agents");
                assertThat(fleet.get("shared").asBoolean()).isTrue();
                assertThat(fleet.get("members")).hasSize(3);
                leaders.add(fleet.get("leader").get("id").asText());
            }
            assertThat(leaders).hasSize(1);
            assertThat(agents.stream().mapToDouble(FleetIT::leaderMetric).sum()).isEqualTo(1.0);
        });
    }

    @Test
    @Order(2)
    void aJobStartedThroughOneIsFollowedAndCancelledThroughTheOthers() throws Exception {
        awaitSameView(Duration.ofSeconds(30));
        String master = get(agents.get(0), "/api/v1/cluster").get("nodes").get(0).get("id").asText();
        HttpResponse<String> started = agents.get(0).post("/api/v1/rebalance",
                "{\"dryRun\": false, \"weights\": {\"" + master + "\": 3}}", TOKEN);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String id = JSON.readTree(started.body()).get("id").asText();

        // A second job through another sidecar is refused while this one runs.
        HttpResponse<String> second = agents.get(2).post("/api/v1/rebalance", "{\"dryRun\": false}", TOKEN);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(409);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode job = get(agents.get(1), "/api/v1/jobs/" + id);
            assertThat(job.get("state").asText()).isEqualTo("RUNNING");
            assertThat(job.get("progress").get("keysMoved").asLong()).isPositive();
        });
        HttpResponse<String> cancel = agents.get(2).post("/api/v1/jobs/" + id + "/cancel", "", TOKEN);
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (AgentProcess a : agents) {
                assertThat(get(a, "/api/v1/jobs/" + id).get("state").asText()).isEqualTo("CANCELLED");
            }
        });
        List<String> history = ids(get(agents.get(0), "/api/v1/jobs"));
        assertThat(history).contains(id);
        for (AgentProcess a : agents) {
            assertThat(ids(get(a, "/api/v1/jobs"))).isEqualTo(history);
        }
        assertThat(agents.get(1).post("/api/v1/jobs/" + id + "/cancel", "", TOKEN).statusCode()).isEqualTo(409);
        assertThat(agents.get(1).get("/api/v1/jobs/no-such-job").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void theETagsAgreeWithinTwoSecondsAfterARebalanceAndAfterAFailover() throws Exception {
        HttpResponse<String> started = agents.get(1).post("/api/v1/rebalance", "{\"dryRun\": false}", TOKEN);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String id = JSON.readTree(started.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(120)).until(() -> get(agents.get(0), "/api/v1/jobs/" + id).get("state").asText()
                .equals("SUCCEEDED"));
        awaitSameView(Duration.ofSeconds(2));

        HostPort before = HostPort.parse(get(agents.get(0), "/api/v1/topology").get("sentinel").get("masters")
                .get("mymaster").get("master").asText());
        failover();
        await().atMost(Duration.ofSeconds(30)).until(() -> agents.stream().anyMatch(a -> !sentinelMaster(a).equals(before.toString())));
        awaitSameView(Duration.ofSeconds(2));
    }

    @Test
    @Order(4)
    void killingTheLeaderHandsEveryDutyToAnotherWithinTheLeaseTimeout() throws Exception {
        AgentProcess leader = agents.stream().filter(a -> leaderMetric(a) == 1.0).findFirst().orElseThrow();
        String leaderId = get(leader, "/api/v1/agents").get("self").asText();
        leader.kill();
        agents.remove(leader);
        long t0 = System.nanoTime();
        await().atMost(LEASE.plusSeconds(3)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(agents.stream().mapToDouble(FleetIT::leaderMetric).sum()).isEqualTo(1.0));
        System.out.printf("FIGURE leader killed to a new leader: %d ms (lease timeout %s)%n",
                (System.nanoTime() - t0) / 1_000_000, LEASE);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (AgentProcess a : agents) {
                assertThat(get(a, "/api/v1/agents").get("leader").get("id").asText()).isNotEqualTo(leaderId);
            }
        });

        // The new leader pushes: a failover reaches the webhook receiver and the pub/sub subscriber.
        String before = sentinelMaster(agents.get(0));
        failover();
        await().atMost(Duration.ofSeconds(30)).until(() -> !sentinelMaster(agents.get(0)).equals(before));
        long version = awaitSameView(Duration.ofSeconds(2));
        receiver.await(d -> version(d.text()) == version, Duration.ofSeconds(10));
        subscriber.await(m -> version(m) == version, Duration.ofSeconds(10));

        agents.add(AgentProcess.start(env)); // back to three for what follows
        agents.get(2).awaitHttp(Duration.ofSeconds(90));
    }

    @Test
    @Order(5)
    void theWebhookReceiverAndThePubSubSubscriberGotEachViewOnce() {
        List<Long> delivered = receiver.deliveries().stream().map(d -> version(d.text())).toList();
        assertThat(delivered).isNotEmpty().isSorted().doesNotHaveDuplicates();
        Map<Long, Integer> published = new HashMap<>();
        Map<Long, String> causes = new HashMap<>();
        for (PushChannelListener.Message m : subscriber.messages()) {
            published.merge(version(m.text()), 1, Integer::sum);
            causes.put(version(m.text()), cause(m.text()));
        }
        // A failover view is published again 1 s and 5 s later by design (subscribers Sentinel disconnected); any
        // other view exactly once: three sidecars, one publisher.
        published.forEach((v, n) -> assertThat(n).as("messages of version %d (%s)", v, causes.get(v))
                .isLessThanOrEqualTo(causes.get(v).equals("failover") ? 3 : 1));
        assertThat(published.keySet()).containsAll(delivered.stream().filter(published::containsKey).toList());
    }

    @Test
    @Order(6)
    void aClientHoppingBetweenSidecarsThroughTwentyFailoversAndARebalanceNeverSeesAVersionGoDown() throws Exception {
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            AgentProcess a = agents.get(i % agents.size());
            // As EventSource does on reconnecting: the last event id it received.
            String lastEventId = seen.isEmpty() ? null : Long.toString(seen.get(seen.size() - 1));
            try (SseClient stream = PushAgent.stream(a, lastEventId)) {
                long first = lastEventId != null ? Long.parseLong(lastEventId)
                        : Long.parseLong(stream.await(e -> true, Duration.ofSeconds(10)).id());
                if (i == 20) {
                    HttpResponse<String> r = a.post("/api/v1/rebalance", "{\"dryRun\": false, \"weights\": {\""
                            + get(a, "/api/v1/cluster").get("nodes").get(1).get("id").asText() + "\": 2}}", TOKEN);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                } else {
                    failover();
                }
                stream.await(e -> Long.parseLong(e.id()) > first, Duration.ofSeconds(30));
                stream.events().forEach(e -> seen.add(Long.parseLong(e.id())));
            }
        }
        // In the order the client received them, across 21 hops between three sidecars.
        assertThat(seen).hasSizeGreaterThanOrEqualTo(42).isSorted();
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** Waits until every sidecar answers the same ETag; returns its version. */
    private long awaitSameView(Duration within) {
        List<String> etags = new ArrayList<>();
        await().atMost(within).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            etags.clear();
            for (AgentProcess a : agents) {
                HttpResponse<String> r = a.get("/api/v1/topology");
                assertThat(r.statusCode()).isEqualTo(200);
                etags.add(r.headers().firstValue("ETag").orElse(""));
            }
            assertThat(new HashSet<>(etags)).as("ETags %s", etags).hasSize(1);
        });
        return Long.parseLong(etags.get(0).replace("\"", ""));
    }

    /**
     * One Sentinel failover, retried (at most 3 times) when Sentinel aborts it: a failover of the test's lab is the
     * stimulus here, not what is tested.
     */
    private void failover() {
        HostPort primary = currentPrimary();
        for (int attempt = 1; ; attempt++) {
            // The previous failover must be over on every Sentinel before the next one starts. (Once, in a clean-clone
            // CI run, this did not happen within 40 s: the wait is longer now and says what each Sentinel saw.)
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                List<String> views = new ArrayList<>();
                boolean agreed = true;
                for (HostPort s : lab.sentinels()) {
                    try (Jedis j = lab.connect(s)) {
                        Map<String, String> m = j.sentinelMaster("mymaster");
                        views.add(s + ": " + m.get("ip") + ":" + m.get("port") + " " + m.get("flags"));
                        agreed &= (m.get("ip") + ":" + m.get("port")).equals(primary.toString()) && m.get("flags").equals("master");
                    }
                }
                assertThat(agreed && replicaInSync(primary)).as("Sentinels on %s: %s; its replica online: %s", primary, views,
                        replicaInSync(primary)).isTrue();
            });
            // A Sentinel learns of a reconfigured replica from INFO every 10 s: until then it answers NOGOODSLAVE.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> lab.sentinels().stream().anyMatch(s -> {
                try (Jedis j = lab.connect(s)) {
                    j.sentinelFailover("mymaster");
                    return true;
                } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                    return false;
                }
            }));
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> !currentPrimary().equals(primary));
                return;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** The primary itself lists a replica that is online (Sentinels learn of it only every 10 s). */
    private boolean replicaInSync(HostPort primary) {
        try (Jedis j = lab.connect(primary)) {
            return j.info("replication").contains("state=online");
        }
    }

    private HostPort currentPrimary() {
        try (Jedis s = lab.connect(lab.sentinels().get(0))) {
            List<String> a = s.sentinelGetMasterAddrByName("mymaster");
            return new HostPort(a.get(0), Integer.parseInt(a.get(1)));
        }
    }

    private static String sentinelMaster(AgentProcess a) {
        try {
            return get(a, "/api/v1/topology").get("sentinel").get("masters").get("mymaster").get("master").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static double leaderMetric(AgentProcess a) {
        try {
            return PushAgent.metric(a, "cahoots_agent_leader");
        } catch (Exception e) {
            return 0;
        }
    }

    private static JsonNode get(AgentProcess a, String path) throws Exception {
        HttpResponse<String> r = a.get(path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static List<String> ids(JsonNode jobs) {
        List<String> out = new ArrayList<>();
        jobs.forEach(j -> out.add(j.get("id").asText()));
        return out;
    }

    private static long version(String json) {
        try {
            return JSON.readTree(json).get("version").asLong();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String cause(String json) {
        try {
            return JSON.readTree(json).get("cause").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
