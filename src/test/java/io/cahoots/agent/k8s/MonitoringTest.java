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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The monitoring of {@code k8s/monitoring/}: what is scraped, the alerts (checked and unit-tested by the real
 * {@code promtool}), and the Grafana dashboard. That the metric names exist is {@code ExportedMetricNamesTest}'s job.
 */
class MonitoringTest {

    static final Rendering KIT = ManifestsTest.KIT;
    static final Pattern AGGREGATION = Pattern.compile("\\b(sum|max|min|avg|count)\\s*(?:by\\s*\\(([^)]*)\\))?\\s*\\(");

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

    /** Every PromQL expression of the dashboard: its panels' and its annotations'. */
    static List<String> dashboardExpressions() throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode p : dashboard().get("panels")) {
            for (JsonNode t : p.path("targets")) {
                out.add(t.get("expr").asText());
            }
        }
        for (JsonNode a : dashboard().path("annotations").path("list")) {
            out.add(a.get("expr").asText());
        }
        return out;
    }

    /** The agent's scaling query as an alert writes it: aggregated per namespace, so two installs never mix. */
    static String perNamespace(String alertExpr) {
        return alertExpr.replace(" by (namespace) (", "(").replace("by (namespace, ", "by (");
    }

    /** The strategy's three alerts measure what the agent's scaling measures, at the strategy's thresholds and 5m. */
    @Test
    void theStrategysAlertsUseTheScalingReadingsAndThresholds() {
        Map<String, Rule> alerts = alerts();
        assertThat(perNamespace(alerts.get("CahootsApiHighCpuUsage").expr())).isEqualTo(ScalingConfig.DEFAULT_QUERY_CPU + " > 80");
        assertThat(perNamespace(alerts.get("CahootsApiHighMemoryUsage").expr())).isEqualTo(ScalingConfig.DEFAULT_QUERY_MEMORY + " > 85");
        assertThat(perNamespace(alerts.get("CahootsApiHighResponseTime").expr())).isEqualTo(ScalingConfig.DEFAULT_QUERY_P95 + " > 500");
        for (String a : List.of("CahootsApiHighCpuUsage", "CahootsApiHighMemoryUsage", "CahootsApiHighResponseTime")) {
            assertThat(alerts.get(a).forDuration()).as(a).isEqualTo("5m");
            assertThat(alerts.get(a).expr()).as(a).contains("by (namespace");
        }
        assertThat(alerts.get("CahootsApiHighCpuUsage").labels()).containsEntry("action", "increase_replicas");
        assertThat(alerts.get("CahootsApiHighMemoryUsage").labels()).containsEntry("action", "increase_replicas");
        assertThat(alerts.get("CahootsApiHighResponseTime").labels()).containsEntry("action", "investigate_bottleneck");
    }

    @Test
    void alertsCoverRedisTheAgentsAndTheirWorkUnderStableNames() {
        Map<String, Rule> alerts = alerts();
        assertThat(alerts).containsKeys("CahootsRedisNodeDown", "CahootsRedisReplicationBroken", "CahootsRedisReplicationLagging",
                "CahootsRedisClusterStateNotOk", "CahootsRedisClusterOpenSlots", "CahootsRedisMemoryNearMaxmemory",
                "CahootsRedisSentinelQuorumLost", "CahootsRedisPolicyDrift", "CahootsAgentDown", "CahootsFleetWithoutLeader",
                "CahootsJobFailed", "CahootsWebhookViewsDropped", "CahootsScalingActionFailing");
        assertThat(alerts.get("CahootsRedisMemoryNearMaxmemory").expr()).contains("> 0.8");
        assertThat(alerts.get("CahootsFleetWithoutLeader").expr()).isEqualTo("sum by (namespace) (cahoots_agent_leader{job=\"cahoots-agent\"}) != 1");
        assertThat(alerts.get("CahootsJobFailed").expr()).contains("FAILED|INTERRUPTED");
        assertThat(alerts.values()).allSatisfy(r -> {
            // A prefix of ours: no collision with redis-mixin's or kube-prometheus' alerts in the same Prometheus.
            assertThat(r.alert()).matches("Cahoots[A-Z][A-Za-z]+");
            assertThat(r.labels()).as(r.alert()).containsKey("severity");
            assertThat(r.labels().get("severity")).as(r.alert()).isIn("critical", "warning", "info");
            assertThat(r.annotations()).as(r.alert()).containsKeys("summary", "description", "runbook_url");
            assertThat(r.forDuration()).as(r.alert()).isNotBlank();
            assertThat(r.record()).isNull();
            // Two installs in one Prometheus: every aggregation keeps the namespace apart.
            Matcher aggregation = AGGREGATION.matcher(r.expr());
            while (aggregation.find()) {
                assertThat(aggregation.group(2)).as("%s: %s", r.alert(), aggregation.group()).isNotNull().contains("namespace");
            }
        });
        // Redis figures come from the agents, API figures from the API: every selector names its job.
        assertThat(alerts.values()).allSatisfy(r -> assertThat(r.expr()).containsAnyOf("job=\"cahoots-api\"", "job=\"cahoots-agent\""));
    }

    /** Each alert links to its runbook in docs/runbooks/, which says what it means, how to confirm it and what to do. */
    @Test
    void everyAlertHasARunbookThatSaysWhatToDo() throws IOException {
        Path dir = Path.of("docs/runbooks");
        for (Rule r : alerts().values()) {
            assertThat(r.annotations().get("runbook_url")).as(r.alert()).startsWith("https://")
                    .endsWith("/docs/runbooks/" + r.alert() + ".md");
            Path runbook = dir.resolve(r.alert() + ".md");
            assertThat(runbook).as(r.alert()).exists();
            String text = Files.readString(runbook);
            assertThat(text).as(runbook.toString()).startsWith("# " + r.alert() + "\n")
                    .contains("## Meaning", "## Confirm", "## Act").containsPattern("(/api/v1/|/q/)");
        }
        // And no runbook is left for an alert that no longer exists.
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString().replaceFirst("\\.md$", "")))
                    .allSatisfy(name -> assertThat(alerts()).as("runbook %s has no alert", name).containsKey(name));
        }
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
        // Every alert is shown both firing and silent by the unit tests.
        JsonNode tests = StrictYaml.MAPPER.readTree(dir.resolve("alert-tests.yaml").toFile());
        Map<String, List<Integer>> cases = new LinkedHashMap<>();
        for (JsonNode t : tests.get("tests")) {
            for (JsonNode c : t.path("alert_rule_test")) {
                cases.computeIfAbsent(c.get("alertname").asText(), a -> new ArrayList<>()).add(c.path("exp_alerts").size());
            }
        }
        assertThat(alerts().keySet()).allSatisfy(a -> {
            assertThat(cases).as("unit tests of %s", a).containsKey(a);
            assertThat(cases.get(a)).as("%s firing", a).anyMatch(n -> n > 0);
            assertThat(cases.get(a)).as("%s silent", a).contains(0);
        });
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
        // The agent's queries with the variables at their defaults and the install filters left out.
        String defaults = all.replace(",namespace=~\"$namespace\",cluster=~\"$cluster\"", "")
                .replace("job=~\"$api_job\"", "job=\"cahoots-api\"").replace("job=~\"$agent_job\"", "job=\"cahoots-agent\"");
        assertThat(defaults).contains(ScalingConfig.DEFAULT_QUERY_CPU, ScalingConfig.DEFAULT_QUERY_MEMORY);
        // The strategy's application metrics ...
        assertThat(all).contains("rate(http_server_requests_seconds_count", "histogram_quantile(0.95", "histogram_quantile(0.99",
                "status=~\"5..\"", "process_cpu_time_ns_total", "jvm_memory_used_bytes", "worker_pool_ratio",
                "http_server_active_connections");
        // ... its Redis metrics (ops/s, hits and misses, command time as rates of counters) ...
        assertThat(all).contains("rate(cahoots_redis_commands_processed_total", "cahoots_redis_memory_used_bytes",
                "cahoots_redis_memory_max_bytes", "cahoots_redis_clients_connected", "rate(cahoots_redis_keyspace_hits_total",
                "rate(cahoots_redis_keyspace_misses_total", "rate(cahoots_redis_commands_duration_seconds_total",
                "rate(cahoots_redis_commands_total", "cahoots_redis_command_latency_recent_max_seconds", "cahoots_redis_replication_lag_bytes");
        // ... and the agent's own: jobs, migration rate, failovers, scaling decisions, leadership.
        assertThat(all).contains("cahoots_jobs_finished_total", "cahoots_job_running", "rate(cahoots_migration_keys_moved_total",
                "cahoots_sentinel_failovers_total", "cahoots_scaling_decisions_total", "cahoots_policy_corrections_total",
                "cahoots_agent_leader", "cahoots_scaling_reading_utilization_ratio");
    }

    /**
     * Many installs in one Prometheus: the cluster, namespace and jobs are variables, every query of a panel or an
     * annotation filters on all of them, and node series are named by address through the info series.
     */
    @Test
    void theDashboardServesManyInstallsAndMarksFailoversJobsAndScaling() throws IOException {
        JsonNode d = dashboard();
        List<String> variables = new ArrayList<>();
        d.get("templating").get("list").forEach(v -> variables.add(v.get("name").asText()));
        assertThat(variables).containsExactly("datasource", "cluster", "namespace", "agent_job", "api_job");
        for (String e : dashboardExpressions()) {
            Matcher m = ExportedMetricNamesTest.SELECTOR.matcher(e);
            while (m.find()) {
                assertThat(m.group(2)).as(e).containsPattern("job=~\"\\$(agent|api)_job\"")
                        .contains("namespace=~\"$namespace\"", "cluster=~\"$cluster\"");
            }
        }
        List<String> annotations = new ArrayList<>();
        d.get("annotations").get("list").forEach(a -> {
            annotations.add(a.get("name").asText());
            assertThat(a.get("datasource").get("uid").asText()).isEqualTo("${datasource}");
        });
        assertThat(annotations).contains("Sentinel failovers", "Cluster promotions", "Jobs started", "Jobs ended", "Scaling decisions");
        assertThat(String.join("\n", dashboardExpressions())).contains("group_left (address) max by (node, address) (cahoots_redis_node_info");
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
