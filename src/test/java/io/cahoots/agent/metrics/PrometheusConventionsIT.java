package io.cahoots.agent.metrics;

import io.cahoots.agent.bench.Load;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import io.cahoots.agent.testing.Polling;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged agent's {@code /q/metrics} on a real lab (three masters, three replicas), scraped during a rebalance
 * and a cluster failover, checked by the Prometheus conventions: types from the {@code # TYPE} lines (counters end in
 * {@code _total}, timings are histograms, no summaries), units in the names (seconds, bytes, ratio; never micro- or
 * milliseconds, percent or per-second rates), identity in {@code _info} series only, keys counted as they move, and
 * node series that survive a failover unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusConventionsIT {

    private static final String TOKEN = "conventions-it-token-0123456789";
    private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)$");
    private static final Pattern BAD_UNIT = Pattern.compile("(micro|milli|nano)seconds|_ms$|_us$|per_second|percent");

    private RedisLab lab;
    private AgentProcess agent;

    @BeforeAll
    void start() throws Exception {
        lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(1).build());
        Load.fill(lab, 30_000, 50);
        agent = AgentProcess.start(Map.of(
                "AGENT_CLUSTER_NODES", lab.masters().get(0).toString(),
                "AGENT_POLL_INTERVAL", "250ms",
                "AGENT_ADMIN_TOKEN", TOKEN));
        agent.awaitHttp(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30)).until(() -> scrape().contains("cahoots_redis_master_link_up{"));
        // The recent-latency gauge has rows only from a node's second reading with calls in between (RecentLatency):
        // a poll or two after the first, which a scrape right after link_up can miss on a loaded machine.
        await().atMost(Duration.ofSeconds(30)).until(() -> scrape().contains("cahoots_redis_command_latency_recent_max_seconds{"));
    }

    @AfterAll
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void typesAndUnitsHoldThroughARebalanceAndAFailover() throws Exception {
        checkConventions(scrape());

        // A rebalance: the moved-keys counter grows while the job runs, and ends at the job's own count.
        String id = masterIds().get(0);
        var started = agent.post("/api/v1/rebalance", "{\"dryRun\": false, \"weights\": {\"" + id + "\": 2}}", TOKEN);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String job = JsonPath.from(started.body()).getString("id");
        List<Double> movedWhileRunning = new ArrayList<>();
        // A scrape every 100 ms until the job ends, each one checked and sampled.
        String state = Polling.until(Duration.ofMinutes(2), Duration.ofMillis(100), () -> {
            String text = scrape();
            checkConventions(text);
            if (value(text, "cahoots_job_running") == 1) {
                movedWhileRunning.add(value(text, "cahoots_migration_keys_moved_total"));
            }
            return json("/api/v1/jobs/" + job).getString("state");
        }, s -> !s.equals("PENDING") && !s.equals("RUNNING"), () -> "job " + job + " still running after 2 minutes");
        assertThat(state).isEqualTo("SUCCEEDED");
        long moved = json("/api/v1/jobs/" + job).getLong("progress.keysMoved");
        assertThat(moved).isPositive();
        assertThat(movedWhileRunning).as("keys counted while the job ran").anyMatch(v -> v > 0 && v < moved);
        await().atMost(Duration.ofSeconds(5)).until(() -> value(scrape(), "cahoots_migration_keys_moved_total") == moved);
        assertThat(value(scrape(), "cahoots_jobs_finished_total{state=\"SUCCEEDED\",type=\"rebalance\"}")).isEqualTo(1);

        // A failover: the replica's role changes in the info series only; every node series keeps its labels.
        String before = scrape();
        Set<String> upSeries = series(before, "cahoots_redis_up");
        HostPort replica = lab.replicas().get(0);
        String replicaId = nodeId(replica);
        assertThat(before).contains("cahoots_redis_node_info{address=\"" + replica + "\",node=\"" + replicaId + "\",role=\"replica\"}");
        try (Jedis j = lab.connect(replica)) {
            j.clusterFailover();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> scrape().contains(
                "cahoots_redis_node_info{address=\"" + replica + "\",node=\"" + replicaId + "\",role=\"master\"}"));
        String after = scrape();
        checkConventions(after);
        assertThat(series(after, "cahoots_redis_up")).isEqualTo(upSeries);
        assertThat(series(after, "cahoots_redis_node_info")).hasSize(6);
        assertThat(after).doesNotContain("cahoots_redis_node_info{address=\"" + replica + "\",node=\"" + replicaId + "\",role=\"replica\"}");
    }

    /** Types by the {@code # TYPE} lines and units by name, for every family of the agent's own. */
    static void checkConventions(String text) {
        // The text format names a counter's family without _total, its samples with it: key both by the sample name.
        Map<String, String> types = new TreeMap<>();
        text.lines().map(TYPE::matcher).filter(Matcher::matches).forEach(m -> {
            assertThat(m.group(1)).as("family %s", m.group(1)).doesNotEndWith("_total");
            types.put(m.group(2).equals("counter") ? m.group(1) + "_total" : m.group(1), m.group(2));
        });
        Map<String, String> ours = new TreeMap<>(types);
        ours.keySet().removeIf(n -> !n.startsWith("cahoots_"));
        assertThat(ours).hasSizeGreaterThan(40);
        ours.forEach((name, type) -> {
            assertThat(type).as(name).isIn("counter", "gauge", "histogram");
            assertThat(name.endsWith("_total")).as("%s is a %s", name, type).isEqualTo(type.equals("counter"));
            if (!type.equals("histogram")) {
                assertThat(text).as(name).containsPattern("(?m)^" + name + "[{ ]");
            }
            assertThat(name).as(name).doesNotContainPattern(BAD_UNIT);
            if (type.equals("histogram")) {
                assertThat(name).as(name).endsWith("_seconds");
                assertThat(text).as(name).contains(name + "_bucket{", name + "_sum", name + "_count");
            }
            if (name.endsWith("_info")) {
                assertThat(type).as(name).isEqualTo("gauge");
            }
        });
        assertThat(ours).containsEntry("cahoots_cluster_poll_duration_seconds", "histogram")
                .containsEntry("cahoots_redis_commands_processed_total", "counter")
                .containsEntry("cahoots_redis_commands_total", "counter")
                .containsEntry("cahoots_redis_commands_duration_seconds_total", "counter")
                .containsEntry("cahoots_redis_keyspace_hits_total", "counter")
                .containsEntry("cahoots_redis_keyspace_misses_total", "counter")
                .containsEntry("cahoots_migration_keys_moved_total", "counter")
                .containsEntry("cahoots_jobs_finished_total", "counter")
                .containsEntry("cahoots_redis_memory_used_bytes", "gauge")
                .containsEntry("cahoots_redis_memory_max_bytes", "gauge")
                .containsEntry("cahoots_redis_replication_lag_bytes", "gauge")
                .containsEntry("cahoots_redis_command_latency_p99_max_seconds", "gauge")
                .containsEntry("cahoots_redis_command_latency_recent_max_seconds", "gauge")
                .containsEntry("cahoots_redis_node_info", "gauge")
                .containsEntry("cahoots_agent_leader", "gauge")
                .containsEntry("cahoots_policy_audit_cycle_duration_seconds", "histogram");
        // Node series carry the node id only; address and role live in the info series.
        text.lines().filter(l -> l.startsWith("cahoots_redis_") && !l.startsWith("cahoots_redis_node_info"))
                .forEach(l -> assertThat(l).doesNotContain("address=", "role=").contains("node=\""));
    }

    private String scrape() throws Exception {
        var r = agent.get("/q/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private JsonPath json(String path) throws Exception {
        return JsonPath.from(agent.get(path).body());
    }

    private List<String> masterIds() throws Exception {
        return json("/api/v1/cluster").getList("nodes.findAll { it.role == 'master' }.id");
    }

    private String nodeId(HostPort address) throws Exception {
        return json("/api/v1/cluster").getString("nodes.find { it.address == '" + address + "' }.id");
    }

    /** The value of the one sample line that starts with {@code series} (name and labels), 0 when absent. */
    static double value(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ") || l.startsWith(series + "{") && !series.contains("{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static Set<String> series(String text, String name) {
        Set<String> out = new TreeSet<>();
        text.lines().filter(l -> l.startsWith(name + "{")).forEach(l -> out.add(l.substring(0, l.lastIndexOf(' '))));
        return out;
    }
}
