package io.cahoots.agent.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.testing.AgentProcess;
import io.cahoots.agent.testing.ClientLoad;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisSentinelPool;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rolling restart of the agent's own lab (3 masters x 1 replica, real processes) through the packaged agent's
 * {@code POST /api/v1/cluster/roll}, while a cluster client writes and reads without pause: the client sees no
 * error and loses no acknowledged write, every preloaded key is there, the cluster ends ok, every node runs a new
 * process ({@code run_id}) and every master went through a failover (the old replicas are the masters now). Then a
 * second roll is cancelled after its first node: it stops there, the cluster whole. The lab's Sentinel group is rolled
 * after the cluster (replica, then the primary after SENTINEL FAILOVER) while a JedisSentinelPool client writes: every
 * node of it restarts, the primary moves, no acknowledged write is lost and its errors stay few.
 */
class RollIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "roll-it-0123456789abcdef";
    private static final int KEYS = 3_000;
    private static final Duration JOB = Duration.ofMinutes(6);

    @Test
    void aRollRestartsEveryNodeUnderLoadWithoutAClientError() throws Exception {
        try (AgentProcess agent = AgentProcess.start(Map.of("AGENT_LAB", "true", "AGENT_ADMIN_TOKEN", TOKEN))) {
            agent.awaitHttp(Duration.ofSeconds(120));
            await().atMost(Duration.ofSeconds(90)).until(() -> agent.get("/q/health/ready").statusCode() == 200
                    && JSON.readTree(agent.get("/api/v1/cluster/check").body()).get("ok").asBoolean());
            List<HostPort> masters = addresses(agent.output(), "lab cluster masters");
            List<HostPort> replicas = addresses(agent.output(), "replicas");
            List<HostPort> all = new ArrayList<>(masters);
            all.addAll(replicas);
            Map<HostPort, String> runIds = new HashMap<>();
            for (HostPort n : all) {
                runIds.put(n, info(n, "run_id"));
            }
            // The lab's Sentinel group (1 primary, 1 replica, 3 Sentinels): rolled after the cluster.
            Matcher g = Pattern.compile("lab sentinel group '([^']+)': primary (\\S+), replicas \\[([^\\]]*)\\], sentinels \\[([^\\]]*)\\]")
                    .matcher(agent.output());
            assertThat(g.find()).as("the lab's Sentinel group in the agent's log").isTrue();
            String group = g.group(1);
            HostPort sentinelPrimary = HostPort.parse(g.group(2));
            List<HostPort> groupNodes = new ArrayList<>(List.of(sentinelPrimary));
            Arrays.stream(g.group(3).split(",\\s*")).map(HostPort::parse).forEach(groupNodes::add);
            List<HostPort> sentinels = Arrays.stream(g.group(4).split(",\\s*")).map(HostPort::parse).toList();
            for (HostPort n : groupNodes) {
                runIds.put(n, dataInfo(n, "run_id"));
            }

            try (JedisCluster client = client(masters)) {
                for (int i = 0; i < KEYS; i++) {
                    client.set("preloaded:" + i, "v" + i);
                }

                // The dry run: no token, the ordered plan, nothing restarted.
                HttpResponse<String> dry = agent.post("/api/v1/cluster/roll", "{}", "");
                assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
                JsonNode plan = JSON.readTree(dry.body());
                assertThat(plan.get("restarter").asText()).isEqualTo("lab");
                assertThat(plan.get("nodes").asInt()).isEqualTo(8);
                List<String> kinds = new ArrayList<>();
                plan.get("steps").forEach(s -> kinds.add(s.get("kind").asText()));
                assertThat(kinds).containsExactly("RESTART_REPLICA", "RESTART_REPLICA", "RESTART_REPLICA",
                        "FAILOVER_THEN_RESTART", "FAILOVER_THEN_RESTART", "FAILOVER_THEN_RESTART",
                        "RESTART_SENTINEL_REPLICA", "SENTINEL_FAILOVER_THEN_RESTART");
                assertThat(plan.get("steps").get(7).get("group").asText()).isEqualTo(group);
                assertThat(plan.get("steps").get(7).get("address").asText()).isEqualTo(sentinelPrimary.toString());
                assertThat(agent.post("/api/v1/cluster/roll", "{\"dryRun\": false}", "wrong-token-0123456789").statusCode())
                        .isEqualTo(401);
                assertThat(agent.post("/api/v1/cluster/roll", "{\"dryRun\": false, \"nodeTimeoutSeconds\": 0}", TOKEN)
                        .statusCode()).isEqualTo(400);
                for (HostPort n : all) {
                    assertThat(info(n, "run_id")).as("a dry run restarts nothing").isEqualTo(runIds.get(n));
                }

                try (ClientLoad load = new ClientLoad(masters, "roll", 4);
                     SentinelWriter sentinelWriter = new SentinelWriter(group, sentinels)) {
                    await().atMost(Duration.ofSeconds(20)).until(() -> load.operations() > 200);
                    HttpResponse<String> started = agent.post("/api/v1/cluster/roll",
                            "{\"dryRun\": false, \"nodeTimeoutSeconds\": 180}", TOKEN);
                    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
                    String jobId = JSON.readTree(started.body()).get("id").asText();
                    assertThat(started.headers().firstValue("Location").orElseThrow()).endsWith("/api/v1/jobs/" + jobId);
                    assertThat(JSON.readTree(started.body()).get("type").asText()).isEqualTo("roll");

                    // One at a time: a second roll, or its dry run, is refused while this one runs.
                    HttpResponse<String> second = agent.post("/api/v1/cluster/roll", "{\"dryRun\": false}", TOKEN);
                    assertThat(second.statusCode()).as(second.body()).isEqualTo(409);

                    // Live progress: nodes done of total and the current step, in the job's result.
                    await().atMost(JOB).pollInterval(Duration.ofMillis(300)).until(() -> {
                        JsonNode r = JSON.readTree(agent.get("/api/v1/jobs/" + jobId).body()).path("result");
                        return r.path("nodesDone").asInt() >= 1 && r.path("nodesTotal").asInt() == 8
                                && !r.path("step").asText().isEmpty();
                    });
                    JsonNode job = awaitEnd(agent, jobId);
                    assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
                    assertThat(job.get("result").get("nodesDone").asInt()).isEqualTo(8);
                    long ops = load.operations();
                    load.stopAndVerify(); // zero client errors, every acknowledged write reads back
                    assertThat(ops).isGreaterThan(1000);
                    // The Sentinel client: errors while the primary switches (its writers wait, then are told
                    // READONLY or disconnected, and find the new primary), bounded; no acknowledged write lost.
                    sentinelWriter.stopAndVerify();
                }

                int missing = 0;
                for (int i = 0; i < KEYS; i++) {
                    if (!("v" + i).equals(client.get("preloaded:" + i))) {
                        missing++;
                    }
                }
                assertThat(missing).as("preloaded keys lost").isZero();
            }

            JsonNode check = JSON.readTree(agent.get("/api/v1/cluster/check").body());
            assertThat(check.get("ok").asBoolean()).as(check.toString()).isTrue();
            for (HostPort n : all) {
                assertThat(info(n, "run_id")).as("%s restarted", n).isNotEqualTo(runIds.get(n));
                assertThat(info(n, "cluster_state")).isEqualTo("ok");
            }
            // Every master went through a failover: the old replicas serve the slots now, the old masters follow them.
            for (HostPort m : masters) {
                assertThat(info(m, "role")).as("old master %s", m).isEqualTo("slave");
            }
            for (HostPort r : replicas) {
                assertThat(info(r, "role")).as("old replica %s", r).isEqualTo("master");
            }

            for (HostPort n : groupNodes) {
                assertThat(dataInfo(n, "run_id")).as("Sentinel group node %s restarted", n).isNotEqualTo(runIds.get(n));
            }
            assertThat(dataInfo(sentinelPrimary, "role")).as("old Sentinel primary %s", sentinelPrimary).isEqualTo("slave");
            try (Jedis s = new Jedis(sentinels.get(0).host(), sentinels.get(0).port(), 5000)) {
                List<String> now = s.sentinelGetMasterAddrByName(group);
                assertThat(new HostPort(now.get(0), Integer.parseInt(now.get(1)))).as("the Sentinels' primary after the roll")
                        .isNotEqualTo(sentinelPrimary).isIn(groupNodes);
            }

            // Cancelled between nodes: the roll stops after the node in flight, the cluster whole.
            HttpResponse<String> again = agent.post("/api/v1/cluster/roll", "{\"dryRun\": false}", TOKEN);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
            String againId = JSON.readTree(again.body()).get("id").asText();
            assertThat(agent.post("/api/v1/jobs/" + againId + "/cancel", "", TOKEN).statusCode()).isIn(200, 202);
            JsonNode cancelled = awaitEnd(agent, againId);
            assertThat(cancelled.get("state").asText()).as(cancelled.toString()).isEqualTo("CANCELLED");
            assertThat(cancelled.get("result").get("nodesDone").asInt()).isLessThan(8);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    JSON.readTree(agent.get("/api/v1/cluster/check").body()).get("ok").asBoolean());
        }
    }

    private static JsonNode awaitEnd(AgentProcess agent, String jobId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(JOB).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = JSON.readTree(agent.get("/api/v1/jobs/" + jobId).body());
            return List.of("SUCCEEDED", "FAILED", "CANCELLED", "INTERRUPTED").contains(last[0].get("state").asText());
        });
        return last[0];
    }

    private static String info(HostPort n, String field) {
        try (Jedis j = new Jedis(n.host(), n.port(), 5000)) {
            String text = j.info() + "\n" + j.clusterInfo();
            return text.lines().filter(l -> l.startsWith(field + ":")).map(l -> l.substring(field.length() + 1).trim())
                    .findFirst().orElseThrow(() -> new AssertionError(field + " not in INFO of " + n));
        }
    }

    /** INFO of a data node outside the cluster (a Sentinel group's). */
    private static String dataInfo(HostPort n, String field) {
        try (Jedis j = new Jedis(n.host(), n.port(), 5000)) {
            return j.info().lines().filter(l -> l.startsWith(field + ":")).map(l -> l.substring(field.length() + 1).trim())
                    .findFirst().orElseThrow(() -> new AssertionError(field + " not in INFO of " + n));
        }
    }

    /**
     * One writer to a Sentinel group through Sentinel discovery ({@code JedisSentinelPool}), as an application
     * would: counts the errors it sees and remembers every acknowledged write, to read each back at the end.
     */
    private static final class SentinelWriter implements AutoCloseable {
        private final JedisSentinelPool pool;
        private final Thread thread;
        private final List<String> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.atomic.AtomicLong errors = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean stop;

        SentinelWriter(String group, List<HostPort> sentinels) {
            pool = new JedisSentinelPool(group, sentinels.stream().map(HostPort::toString).collect(Collectors.toSet()),
                    new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>(), 2000);
            thread = new Thread(() -> {
                for (int i = 0; !stop; i++) {
                    String key = "sentinel-roll:" + i;
                    try (Jedis j = pool.getResource()) {
                        j.set(key, "v" + i);
                        acknowledged.add(key);
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                        try {
                            Thread.sleep(100); // pacing: a pause before writing again through a failover
                        } catch (InterruptedException ie) {
                            return;
                        }
                    }
                }
            }, "sentinel-roll-writer");
            thread.start();
        }

        void stopAndVerify() throws InterruptedException {
            stop = true;
            thread.join(30_000);
            long lost = 0;
            try (Jedis j = pool.getResource()) {
                for (String key : acknowledged) {
                    if (!("v" + key.substring(key.indexOf(':') + 1)).equals(j.get(key))) {
                        lost++;
                    }
                }
            }
            System.out.printf("RollIT Sentinel writer: %d acknowledged writes, %d errors, %d lost%n",
                    acknowledged.size(), errors.get(), lost);
            assertThat(acknowledged.size()).isGreaterThan(100);
            assertThat(lost).as("acknowledged writes lost in the Sentinel group").isZero();
            assertThat(errors.get()).as("client errors during the Sentinel switch").isLessThan(150);
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(30_000);
            pool.close();
        }
    }

    private static JedisCluster client(List<HostPort> seeds) {
        return new JedisCluster(seeds.stream().map(h -> new HostAndPort(h.host(), h.port())).collect(Collectors.toSet()),
                DefaultJedisClientConfig.builder().timeoutMillis(5000).build(), 5,
                new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>());
    }

    /** The addresses the lab logged after {@code label}, e.g. "lab cluster masters [127.0.0.1:1, ...]". */
    private static List<HostPort> addresses(String output, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + " \\[([^\\]]*)\\]").matcher(output);
        assertThat(m.find()).as("'%s' in the agent's log", label).isTrue();
        return Arrays.stream(m.group(1).split(",\\s*")).map(HostPort::parse).toList();
    }
}
