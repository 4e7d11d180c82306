package io.cahoots.agent.k8s;

import io.cahoots.agent.config.PolicySettings;
import io.cahoots.agent.config.ScalingConfig;
import io.cahoots.agent.metrics.AgentMetrics;
import io.cahoots.agent.caching.PolicyMetrics;
import io.cahoots.agent.scaling.ScalingMetrics;
import io.cahoots.agent.scaling.decision.Decision;
import io.cahoots.agent.sentinel.SentinelMetrics;
import io.cahoots.agent.topology.PushMetrics;
import io.cahoots.agent.testing.LabResource;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every metric an alert or a dashboard panel of the kit reads is one the agent or the API really exports.
 * <ul>
 *   <li>The agent's ({@code cahoots_*}): the running agent's {@code /q/metrics}, plus the meters registered only at
 *       their first event (a job, a scaling decision, a failover), produced by the same meter classes.</li>
 *   <li>The API's: the API is a Quarkus service with micrometer-registry-prometheus (docs/scaling.md), the stack the
 *       agent runs on, so the agent's own {@code /q/metrics} shows the names (http_server_requests_seconds_*,
 *       jvm_*, process_*, worker_pool_*). The latency histogram's {@code _bucket} series needs the histogram switched on
 *       in the API (docs/scaling.md), so it counts when its {@code _count} exists.</li>
 * </ul>
 * And each query selects the job that exports the metric: the agents' as {@code cahoots-agent}, the API's as
 * {@code cahoots-api}.
 */
@QuarkusTest
@QuarkusTestResource(LabResource.class)
class ExportedMetricNamesTest {

    static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}");

    @Inject
    PolicySettings policySettings;

    Set<String> exported() {
        given().get("/api/v1/cluster").then().statusCode(200); // at least one request, for http_server_requests
        // The per-node and per-master rows appear after the first cluster and Sentinel polls.
        String scrape = await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/metrics").then().statusCode(200)
                .extract().asString(), s -> s.contains("cahoots_sentinel_agreeing{") && s.contains("cahoots_redis_master_link_up{"));
        Set<String> names = names(scrape);
        PrometheusMeterRegistry lazy = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AgentMetrics agent = new AgentMetrics(lazy);
        agent.jobStarted("rebalance");
        agent.jobFinished("rebalance", "SUCCEEDED", 10);
        new ScalingMetrics(lazy).onDecision(new Decision(Instant.now(), Decision.Kind.SCALE_UP, 2, 4, "cpu"), true);
        new SentinelMetrics(lazy).failover("mymaster");
        new PushMetrics(lazy).webhookEndpoint(URI.create("https://app.internal/hooks"));
        new PolicyMetrics(lazy, policySettings).correction("ttl", "applied", 1);
        names.addAll(names(lazy.scrape()));
        return names;
    }

    static Set<String> names(String scrape) {
        Set<String> out = new TreeSet<>();
        scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> out.add(l.split("[{ ]", 2)[0]));
        return out;
    }

    static List<String> queries() throws IOException {
        List<String> out = new ArrayList<>(MonitoringTest.alerts().values().stream().map(Monitoring.Rule::expr).toList());
        out.addAll(MonitoringTest.dashboardExpressions());
        out.addAll(List.of(ScalingConfig.DEFAULT_QUERY_CPU, ScalingConfig.DEFAULT_QUERY_MEMORY, ScalingConfig.DEFAULT_QUERY_QUEUE,
                ScalingConfig.DEFAULT_QUERY_P95));
        return out;
    }

    @Test
    void everyMetricTheKitReadsIsExported() throws IOException {
        Set<String> exported = exported();
        assertThat(exported).contains("cahoots_cluster_state_ok", "cahoots_policy_memory_drift", "cahoots_jobs_started_total",
                "cahoots_scaling_decisions_total", "cahoots_sentinel_failovers_total", "http_server_requests_seconds_count",
                "jvm_memory_used_bytes", "process_cpu_time_ns_total", "cahoots_agent_leader", "cahoots_redis_node_info",
                "cahoots_redis_master_link_up", "cahoots_cluster_poll_duration_seconds_bucket");
        Set<String> read = new TreeSet<>();
        for (String q : queries()) {
            read.addAll(PromQL.metricNames(PromQL.withoutGrafanaVariables(q)));
        }
        assertThat(read).hasSizeGreaterThan(30);
        for (String name : read) {
            boolean ok = exported.contains(name)
                    || name.equals("up") // Prometheus' own, per scrape target
                    || name.endsWith("_bucket") && exported.contains(name.replaceFirst("_bucket$", "_count"));
            assertThat(ok).as("%s is read by the kit but exported by neither the agent nor the API", name).isTrue();
        }
    }

    @Test
    void everyQuerySelectsTheJobThatExportsTheMetric() throws IOException {
        for (String q : queries()) {
            Matcher m = SELECTOR.matcher(PromQL.withoutGrafanaVariables(q));
            int selectors = 0;
            while (m.find()) {
                selectors++;
                String job = m.group(1).startsWith("cahoots_") || m.group(1).equals("up") ? "cahoots-agent" : "cahoots-api";
                // Alerts name the job; the dashboard picks it in a variable whose default is that job.
                assertThat(m.group(2)).as("%s in %s", m.group(1), q).containsPattern("job=~?\"" + job + "\"");
            }
            assertThat(selectors).as(q).isPositive();
        }
    }
}
