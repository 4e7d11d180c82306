package io.cahoots.agent.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import io.cahoots.agent.testing.Polling;
import io.cahoots.agent.testing.PushAgent;
import io.cahoots.agent.testing.PushChannelListener;
import io.cahoots.agent.testing.SseClient;
import io.cahoots.agent.testing.WebhookReceiver;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15's proof on real processes: a Sentinel group (primary, one replica, three Sentinels) and a 3x1 cluster; the
 * group's primary holds {@code import.it.keys} keys of every type (default 40,000 so the test ends well within two
 * minutes on the shared 2-core machine; {@code -Dimport.it.keys=200000} for the figure), a writer and a deleter
 * run on it throughout, a {@code SENTINEL FAILOVER} lands in the middle of the import. After the cutover and the grace
 * period: the agent's verification reports no difference, the test's own comparison (type, value, TTL within 1 s)
 * agrees, deleted keys are absent, every push channel carried the {@code cluster-enabled} view exactly once, and the
 * source's {@code notify-keyspace-events} is back to what it was.
 */
class ImportIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "import-it-token-0123456789";
    private static final String CHANNEL = "it:topology";
    private static final int KEYS = Integer.getInteger("import.it.keys", 40_000);

    @Test
    void movesASentinelGroupIntoTheClusterWhileItTakesWritesThroughAFailover() throws Exception {
        long t0 = System.nanoTime();
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(1)
                .sentinelGroup(true).sentinelReplicas(1).sentinels(3).sentinelFailoverTimeoutMillis(5000)
                .clusterNodeTimeoutMillis(5000).build());
             WebhookReceiver receiver = WebhookReceiver.start()) {
            HostPort firstPrimary = lab.sentinelPrimary();
            SourceLoad.fill(firstPrimary, KEYS);
            System.out.printf("FIGURE import IT: lab and %d keys ready in %d ms%n", KEYS, ms(t0));
            AgentProcess agent = AgentProcess.start(Map.of(
                    "AGENT_CLUSTER_NODES", lab.masters().stream().map(HostPort::toString).collect(Collectors.joining(",")),
                    "AGENT_SENTINEL_NODES", lab.sentinels().stream().map(HostPort::toString).collect(Collectors.joining(",")),
                    "AGENT_ADMIN_TOKEN", TOKEN,
                    "AGENT_POLL_INTERVAL", "250ms",
                    "AGENT_PUSH_WEBHOOKS", receiver.uri("/hooks/topology").toString(),
                    "AGENT_PUSH_CHANNEL", CHANNEL,
                    "AGENT_IMPORT_GRACE", "3s",
                    // Small pages make the full copy last long enough for the failover to land in its middle.
                    "AGENT_IMPORT_BATCH_KEYS", Integer.toString(Math.max(100, KEYS / 400))));
            try (SourceLoad load = new SourceLoad(lab.sentinels(), lab.sentinelMasterName(), KEYS)) {
                agent.awaitHttp(Duration.ofSeconds(90));
                awaitReady(agent);
                SseClient sse = PushAgent.stream(agent);
                PushChannelListener pubsub = PushChannelListener.subscribe(lab.masters().get(0), CHANNEL);

                HttpResponse<String> dry = agent.post("/api/v1/cluster/import", "{\"source\": \"mymaster\"}", "none");
                assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
                JsonNode report = JSON.readTree(dry.body());
                assertThat(report.get("keys").asLong()).isBetween(KEYS - KEYS / 50L - 10, (long) KEYS);
                assertThat(report.get("fits").asBoolean()).isTrue();
                assertThat(report.get("masters")).hasSize(3);

                load.start();
                HttpResponse<String> started = agent.post("/api/v1/cluster/import",
                        "{\"source\": \"mymaster\", \"dryRun\": false}", TOKEN);
                assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
                String job = JSON.readTree(started.body()).get("id").asText();

                // Failover in the middle of the full copy (or, on a fast machine, right after it).
                JsonNode status = await(agent, job, s -> s.get("keysScanned").asLong() >= KEYS / 10
                        || "FOLLOWING".equals(s.get("phase").asText()), Duration.ofSeconds(60));
                System.out.printf("FIGURE import IT: failover requested at phase %s, %d keys scanned, %d ms%n",
                        status.get("phase").asText(), status.get("keysScanned").asLong(), ms(t0));
                try (Jedis s = lab.connect(lab.sentinels().get(0))) {
                    s.sentinelFailover(lab.sentinelMasterName());
                }
                status = await(agent, job, s -> s.get("failoversFollowed").asLong() == 1
                        && "FOLLOWING".equals(s.get("phase").asText()), Duration.ofSeconds(60));
                HostPort newPrimary = HostPort.parse(status.get("primary").asText());
                assertThat(newPrimary).isNotEqualTo(firstPrimary).isEqualTo(load.primary());
                Thread.sleep(1000); // the writer and the deleter go on against the new primary

                HttpResponse<String> cut = agent.post("/api/v1/jobs/" + job + "/cutover", "", TOKEN);
                assertThat(cut.statusCode()).as(cut.body()).isEqualTo(202);
                // The applications switch when the view arrives: the writer and the deleter stop using the primary.
                SseClient.Event enabled = sse.await(e -> e.data().contains("\"cluster-enabled\""), Duration.ofSeconds(10));
                load.stop();
                JsonNode view = JSON.readTree(enabled.data());
                assertThat(view.get("cluster").get("shards")).hasSize(3);
                assertThat(view.get("retired").get(0).get("name").asText()).isEqualTo("mymaster");
                assertThat(view.get("retired").get(0).get("primary").asText()).isEqualTo(newPrimary.toString());

                JsonNode done = awaitJob(agent, job, Duration.ofSeconds(90));
                System.out.printf("FIGURE import IT: %d keys, %d writes and %d deletes during the import, job %s in %s; "
                                + "result %s; total %d ms%n", KEYS, load.writes.get(), load.deletes.get(),
                        done.get("state").asText(), done.get("finishedAt"), done.get("result"), ms(t0));
                assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
                JsonNode result = done.get("result");
                assertThat(result.get("keysFailed").asLong()).isZero();
                assertThat(result.get("fullCopies").asLong()).isGreaterThanOrEqualTo(2);
                JsonNode verification = result.get("verification");
                assertThat(verification.get("differences").asLong()).as(verification.toString()).isZero();
                assertThat(verification.get("onlyOnTarget").asLong()).as(verification.toString()).isZero();
                // Nothing may have escaped the follow phase: the verification's own repair must have found no work.
                assertThat(verification.get("repaired").asLong()).as(verification.toString()).isZero();
                assertThat(verification.get("keysChecked").asLong()).isGreaterThan(KEYS / 2);
                result.get("notifyKeyspaceEventsRestored").forEach(v -> assertThat(v.asText()).isEqualTo("''"));

                long checked = compareEveryKey(lab, newPrimary, load);
                System.out.printf("FIGURE import IT: test's own comparison of %d keys: equal; %d deleted keys absent%n",
                        checked, load.deleted.size());

                // Exactly one cluster-enabled view on every channel: a second of quiet first, for a duplicate to show.
                Thread.sleep(1000);
                assertThat(sse.events().stream().filter(e -> e.data().contains("\"cluster-enabled\"")).count()).isEqualTo(1);
                assertThat(receiver.deliveries().stream().filter(d -> d.text().contains("\"cluster-enabled\"")).count())
                        .isEqualTo(1);
                assertThat(pubsub.messages().stream().filter(m -> m.text().contains("\"cluster-enabled\"")).count())
                        .isEqualTo(1);
                for (HostPort node : List.of(firstPrimary, newPrimary)) {
                    try (Jedis j = lab.connect(node)) {
                        assertThat(j.configGet("notify-keyspace-events").get("notify-keyspace-events")).isEmpty();
                    }
                }
                pubsub.close();
                sse.close();
            } finally {
                agent.close();
            }
        }
    }

    /** Every source key has its twin in the cluster (type, value, TTL within 1 s); deleted keys are on neither side. */
    private static long compareEveryKey(RedisLab lab, HostPort source, SourceLoad load) {
        long checked = 0;
        List<String> differences = new ArrayList<>();
        try (Jedis s = lab.connect(source);
             JedisCluster c = new JedisCluster(lab.masters().stream().map(h -> new HostAndPort(h.host(), h.port()))
                     .collect(Collectors.toSet()), DefaultJedisClientConfig.builder().socketTimeoutMillis(5000).build())) {
            String cursor = "0";
            do {
                ScanResult<String> page = s.scan(cursor, new ScanParams().count(1000));
                for (String k : page.getResult()) {
                    checked++;
                    String type = s.type(k);
                    if ("none".equals(type)) {
                        continue;
                    }
                    long ttl = s.pttl(k);
                    Object value = value(s, null, k, type);
                    String ctype = c.type(k);
                    long cttl = c.pttl(k);
                    Object cvalue = value(null, c, k, ctype);
                    boolean expiring = ttl >= 0 && ttl < 1000;
                    if (expiring) {
                        continue;
                    }
                    boolean ttlOk = ttl < 0 ? cttl < 0 : cttl >= 0 && Math.abs(ttl - cttl) <= 1000;
                    if (!type.equals(ctype) || !Objects.equals(value, cvalue) || !ttlOk) {
                        differences.add(k + ": " + type + "/" + ctype + " ttl " + ttl + "/" + cttl);
                    }
                }
                cursor = page.getCursor();
            } while (!"0".equals(cursor));
            for (String k : load.deleted) {
                if (!s.exists(k) && c.exists(k)) {
                    differences.add(k + ": deleted on the source, present in the cluster");
                }
            }
        }
        assertThat(differences).as("differences (first 20): %s", differences.stream().limit(20).toList()).isEmpty();
        return checked;
    }

    private static Object value(Jedis j, JedisCluster c, String k, String type) {
        return switch (type) {
            case "string" -> j != null ? j.get(k) : c.get(k);
            case "hash" -> new HashMap<>(j != null ? j.hgetAll(k) : c.hgetAll(k));
            case "list" -> j != null ? j.lrange(k, 0, -1) : c.lrange(k, 0, -1);
            case "set" -> new TreeSet<>(j != null ? j.smembers(k) : c.smembers(k));
            case "zset" -> (j != null ? j.zrangeWithScores(k, 0, -1) : c.zrangeWithScores(k, 0, -1)).stream()
                    .map(Tuple::toString).toList();
            default -> null;
        };
    }

    private static void awaitReady(AgentProcess agent) {
        Polling.until(Duration.ofSeconds(30), Duration.ofMillis(100), () -> agent.get("/q/health/ready").statusCode() == 200,
                () -> "agent not ready:\n" + agent.output());
    }

    /** The job's result once it matches; an AssertionError when the job ends first. */
    private static JsonNode await(AgentProcess agent, String job, java.util.function.Predicate<JsonNode> match,
                                  Duration timeout) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        return Polling.until(timeout, Duration.ofMillis(20), () -> {
            JsonNode j = JSON.readTree(agent.get("/api/v1/jobs/" + job).body());
            last.set(j);
            if (!j.get("state").asText().matches("PENDING|RUNNING")) {
                throw new AssertionError("job ended early: " + j + "\n" + tail(agent));
            }
            return j.get("result");
        }, result -> result != null && match.test(result), () -> "timed out; job: " + last.get() + "\n" + tail(agent));
    }

    private static JsonNode awaitJob(AgentProcess agent, String job, Duration timeout) {
        return Polling.until(timeout, Duration.ofMillis(100), () -> JSON.readTree(agent.get("/api/v1/jobs/" + job).body()),
                j -> !j.get("state").asText().matches("PENDING|RUNNING"), () -> "job did not end\n" + tail(agent));
    }

    private static String tail(AgentProcess agent) {
        String out = agent.output();
        return out.substring(Math.max(0, out.length() - 6000));
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
