package io.cahoots.agent.k8s;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.config.ScalingConfig;
import io.cahoots.agent.k8s.Monitoring.PrometheusRule;
import io.cahoots.agent.k8s.Monitoring.Rule;
import io.cahoots.agent.k8s.Monitoring.ServiceMonitor;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The monitoring of {@code k8s/monitoring/}: what is scraped, the alerts (checked and unit-tested by the real
 * {@code promtool}), and the Grafana dashboard. That the metric names exist is {@code ExportedMetricNamesTest}'s job.
 */
class MonitoringTest {

    static final Rendering KIT = ManifestsTest.KIT;

    static PrometheusRule rules() {
        return KIT.all(PrometheusRule.class).get(0);
    }

    static Map<String, Rule> alerts() {
        Map<String, Rule> out = new LinkedHashMap<>();
        rules().spec().groups().forEach(g -> g.rules().forEach(r -> {
            assertThat(out).as("alert %s twice", r.alert()).doesNotContainKey(r.alert());
            out.put(r.alert(), r);
        }));
        return out;
    }

    static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(KIT.one(ConfigMap.class, "cahoots-grafana-dashboard").getData().get("grafana-dashboard.json"));
    }

    /** Every PromQL expression of the dashboard's panels. */
    static List<String> dashboardExpressions() throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode p : dashboard().get("panels")) {
            for (JsonNode t : p.path("targets")) {
                out.add(t.get("expr").asText());
            }
        }
        return out;
    }

    /** The strategy's three alerts measure what the agent's scaling measures, at the strategy's thresholds and 5m. */
    @Test
    void theStrategysAlertsUseTheScalingReadingsAndThresholds() {
        Map<String, Rule> alerts = alerts();
        assertThat(alerts.get("HighCPUUsage").expr()).isEqualTo(ScalingConfig.DEFAULT_QUERY_CPU + " > 80");
        assertThat(alerts.get("HighMemoryUsage").expr()).isEqualTo(ScalingConfig.DEFAULT_QUERY_MEMORY + " > 85");
        assertThat(alerts.get("HighResponseTime").expr()).isEqualTo(ScalingConfig.DEFAULT_QUERY_P95 + " > 500");
        for (String a : List.of("HighCPUUsage", "HighMemoryUsage", "HighResponseTime")) {
            assertThat(alerts.get(a).forDuration()).as(a).isEqualTo("5m");
        }
        assertThat(alerts.get("HighCPUUsage").labels()).containsEntry("action", "increase_replicas");
        assertThat(alerts.get("HighMemoryUsage").labels()).containsEntry("action", "increase_replicas");
        assertThat(alerts.get("HighResponseTime").labels()).containsEntry("action", "investigate_bottleneck");
    }

    @Test
    void redisAlertsCoverStateOpenSlotsMemoryAndQuorum() {
        Map<String, Rule> alerts = alerts();
        assertThat(alerts).containsKeys("RedisClusterStateNotOk", "RedisClusterOpenSlots", "RedisMemoryNearMaxmemory",
                "RedisSentinelQuorumLost");
        assertThat(alerts.get("RedisMemoryNearMaxmemory").expr()).endsWith("> 0.8");
        assertThat(alerts.values()).allSatisfy(r -> {
            assertThat(r.labels()).as(r.alert()).containsKey("severity");
            assertThat(r.annotations()).as(r.alert()).containsKeys("summary", "description");
            assertThat(r.forDuration()).as(r.alert()).isNotBlank();
            assertThat(r.record()).isNull();
        });
        // Redis figures come from the agents, API figures from the API: every selector names its job.
        assertThat(alerts.values()).allSatisfy(r -> assertThat(r.expr()).containsAnyOf("job=\"cahoots-api\"", "job=\"cahoots-agent\""));
    }

    /** {@code promtool check rules}, then the unit tests of {@code alert-tests.yaml}: each alert fires when it should. */
    @Test
    void promtoolAcceptsTheRulesAndEveryAlertFiresWhenItShould() throws IOException {
        Path dir = Files.createTempDirectory("promrules");
        Files.writeString(dir.resolve("rules.yaml"), StrictYaml.MAPPER.copy().setSerializationInclusion(JsonInclude.Include.NON_NULL)
                .writeValueAsString(Map.of("groups", rules().spec().groups())));
        Files.copy(Path.of("src/test/resources/k8s/alert-tests.yaml"), dir.resolve("alert-tests.yaml"));
        Tools.Result check = Tools.run(dir, Tools.PROMTOOL, "promtool", "check", "rules", "rules.yaml");
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + alerts().size() + " rules found");
        Tools.Result test = Tools.run(dir, Tools.PROMTOOL, "promtool", "test", "rules", "alert-tests.yaml");
        assertThat(test.exit()).as(test.output()).isZero();
        // Every alert is exercised by the unit tests.
        String tests = Files.readString(dir.resolve("alert-tests.yaml"));
        assertThat(alerts().keySet()).allSatisfy(a -> assertThat(tests).contains("alertname: " + a));
    }

    @Test
    void theServiceMonitorScrapesTheApiAndTheAgentsUnderTheJobsTheQueriesName() {
        ServiceMonitor sm = KIT.all(ServiceMonitor.class).get(0);
        List<Service> scraped = KIT.all(Service.class).stream()
                .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(sm.spec().selector().getMatchLabels().entrySet())).toList();
        // Without jobLabel, the Prometheus Operator names the job after the Service.
        assertThat(sm.spec().jobLabel()).isNull();
        assertThat(scraped).extracting(s -> s.getMetadata().getName()).containsExactlyInAnyOrder("cahoots-api", "cahoots-agent");
        assertThat(ScalingConfig.DEFAULT_QUERY_CPU).contains("job=\"cahoots-api\"");
        for (Service s : scraped) {
            for (Monitoring.Endpoint e : sm.spec().endpoints()) {
                assertThat(s.getSpec().getPorts()).as("port %s of %s", e.port(), s.getMetadata().getName())
                        .anySatisfy(p -> assertThat(p.getName()).isEqualTo(e.port()));
            }
        }
        // The agents' Service selects the API pods, i.e. the sidecars, on their own port.
        assertThat(ManifestsTest.selected(KIT.one(Service.class, "cahoots-agent").getSpec().getSelector()))
                .extracting(Rendering.Workload::name).containsExactly("cahoots-api");
    }

    @Test
    void theDashboardShowsTheStrategysMetricsAndTheAgentsOwn() throws IOException {
        JsonNode d = dashboard();
        assertThat(d.get("uid").asText()).isEqualTo("cahoots-overview");
        List<int[]> boxes = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (JsonNode p : d.get("panels")) {
            ids.add(p.get("id").asInt());
            JsonNode g = p.get("gridPos");
            int[] box = {g.get("x").asInt(), g.get("y").asInt(), g.get("w").asInt(), g.get("h").asInt()};
            assertThat(box[0] + box[2]).as(p.get("title").asText()).isLessThanOrEqualTo(24);
            for (int[] other : boxes) {
                boolean overlap = box[0] < other[0] + other[2] && other[0] < box[0] + box[2]
                        && box[1] < other[1] + other[3] && other[1] < box[1] + box[3];
                assertThat(overlap).as("%s overlaps another panel", p.get("title").asText()).isFalse();
            }
            boxes.add(box);
            if (!p.get("type").asText().equals("row")) {
                assertThat(p.get("datasource").get("uid").asText()).isEqualTo("${datasource}");
                assertThat(p.get("targets")).isNotEmpty().allSatisfy(t -> assertThat(t.get("refId").asText()).isNotBlank());
            }
        }
        assertThat(ids).doesNotHaveDuplicates();
        String all = String.join("\n", dashboardExpressions());
        // The strategy's application metrics ...
        assertThat(all).contains("rate(http_server_requests_seconds_count", "histogram_quantile(0.95", "histogram_quantile(0.99",
                "status=~\"5..\"", ScalingConfig.DEFAULT_QUERY_CPU, ScalingConfig.DEFAULT_QUERY_MEMORY, "worker_pool_ratio",
                "http_server_active_connections");
        // ... its Redis metrics ...
        assertThat(all).contains("cahoots_redis_ops_per_second", "cahoots_redis_memory_used_bytes", "cahoots_redis_clients_connected",
                "cahoots_redis_keyspace_hits", "cahoots_redis_keyspace_misses", "cahoots_redis_command_latency_average_microseconds");
        // ... and the agent's own: jobs, migration rate, failovers, scaling decisions.
        assertThat(all).contains("cahoots_jobs_finished_total", "cahoots_job_running", "cahoots_migration_keys_per_second",
                "cahoots_sentinel_failovers_total", "cahoots_scaling_decisions_total", "cahoots_policy_corrections_total");
    }

    /** Every panel query is valid PromQL: promtool parses them as recording rules. */
    @Test
    void everyDashboardQueryParses() throws IOException {
        List<Map<String, String>> records = new ArrayList<>();
        int i = 0;
        for (String e : dashboardExpressions()) {
            records.add(Map.of("record", "dashboard:query_" + i++, "expr", PromQL.withoutGrafanaVariables(e)));
        }
        Path dir = Files.createTempDirectory("promdash");
        Files.writeString(dir.resolve("dashboard.yaml"), StrictYaml.MAPPER.writeValueAsString(
                Map.of("groups", List.of(Map.of("name", "dashboard", "rules", records)))));
        Tools.Result check = Tools.run(dir, Tools.PROMTOOL, "promtool", "check", "rules", "dashboard.yaml");
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(records.stream().map(r -> r.get("expr")).collect(Collectors.toList())).noneMatch(e -> e.contains("$"));
    }
}
