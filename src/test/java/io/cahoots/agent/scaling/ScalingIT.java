package io.cahoots.agent.scaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.config.ScalingConfig;
import io.cahoots.agent.scaling.decision.Sample;
import io.cahoots.agent.scaling.decision.Trigger;
import io.cahoots.agent.testing.AgentProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The supervisor end to end: the packaged agent (two replicas of it), a real Prometheus scraping an API metrics
 * endpoint whose values the test sets, and Fabric8's mock server in CRUD mode as the Kubernetes API server. Windows
 * are seconds instead of minutes, set by configuration as an operator would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScalingIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String NS = "shop";
    static final String DEPLOYMENT = "cahoots-api";

    static FakeApiMetrics api;
    static PrometheusProcess prometheus;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeApiMetrics();
        // The Micrometer series for the default queries grow from the first scrape, so their one-minute rates are
        // steady by the time they are read; the scenario uses its own gauges.
        api.cpuShare = 0.42;
        api.heapUsedBytes = 800_000_000L;
        api.workerQueue = 37;
        prometheus = PrometheusProcess.start(api.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (api != null) {
            api.close();
        }
    }

    /**
     * Runs second: {@code rate(...[1m])} under-reports a series younger than its window (Prometheus extrapolates only
     * a little past the first sample), so the CPU reading is right once the series is a minute old; the scenario
     * test fills that minute.
     */
    @Test
    @Order(2)
    void theDefaultQueriesReadAQuarkusMicrometerApiInPercentAndMilliseconds() {
        PrometheusReader reader = new PrometheusReader(prometheus.url(), Map.of(
                Trigger.CPU, ScalingConfig.DEFAULT_QUERY_CPU, Trigger.MEMORY, ScalingConfig.DEFAULT_QUERY_MEMORY,
                Trigger.QUEUE, ScalingConfig.DEFAULT_QUERY_QUEUE, Trigger.P95, ScalingConfig.DEFAULT_QUERY_P95), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(75)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Sample s = reader.read();
            assertThat(s.missing()).as("missing readings (Prometheus log: %s)", prometheus.log()).isEmpty();
            assertThat(s.value(Trigger.CPU).getAsDouble()).isCloseTo(42, within(3.0));
            assertThat(s.value(Trigger.MEMORY).getAsDouble()).isCloseTo(80, within(0.01));
            assertThat(s.value(Trigger.QUEUE).getAsDouble()).isEqualTo(37);
            // 95th of every 100 requests falls 1/6 into the (100ms, 250ms] bucket; the slow /q/health is left out.
            assertThat(s.value(Trigger.P95).getAsDouble()).isCloseTo(125, within(15.0));
        });
    }

    @Test
    @Order(1)
    void theDeploymentGoes2To4To6WhileLoadPersistsStaysWhenItImprovesAndNeverPasses10() throws Exception {
        api.cpuPercent = 90;
        api.memoryPercent = 40;
        api.queueLength = 5;
        api.p95Ms = 120;
        List<Integer> history = new CopyOnWriteArrayList<>();
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
        try (MockKubernetes kube = new MockKubernetes()) {
            kube.deployment(NS, DEPLOYMENT, 2);
            poller.scheduleAtFixedRate(() -> {
                int r = kube.replicas(NS, DEPLOYMENT);
                if (history.isEmpty() || history.get(history.size() - 1) != r) {
                    history.add(r);
                }
            }, 0, 20, TimeUnit.MILLISECONDS);
            Map<String, String> env = env(kube);
            try (AgentProcess a = AgentProcess.start(env); AgentProcess b = AgentProcess.start(env)) {
                a.awaitHttp(Duration.ofSeconds(60));
                b.awaitHttp(Duration.ofSeconds(60));

                // 1. Load persists: one step per observation window, from exactly one of the two agents.
                awaitReplicas(history, 6, Duration.ofSeconds(40));
                api.cpuPercent = 40;
                assertThat(history).containsExactly(2, 4, 6);
                AgentProcess leader = scaling(a).get("mode").asText().equals("active") ? a : b;
                AgentProcess follower = leader == a ? b : a;
                assertThat(scaling(follower).get("mode").asText()).isEqualTo("standby");
                assertThat(scaling(follower).get("leaseHolder").asText()).isEqualTo(scaling(leader).get("identity").asText());

                // 2. The readings improve: the count is kept, and the agent says so.
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                        assertThat(reasons(leader)).anyMatch(r -> r.equals("after 4s cpu 40% (was 90%): improved, keeping 6")));
                Thread.sleep(4_000); // longer than sustain: a relapse into stepping would show here
                assertThat(kube.replicas(NS, DEPLOYMENT)).isEqualTo(6);

                // 3. Load again: 8, then 10, and no further however long it lasts.
                api.cpuPercent = 95;
                awaitReplicas(history, 10, Duration.ofSeconds(30));
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                        assertThat(reasons(leader)).anyMatch(r -> r.endsWith("already at the maximum of 10 (AGENT_SCALING_MAX_REPLICAS)")));
                Thread.sleep(2_000); // deliberate: a step past the maximum, if the agent took one, would show here
                assertThat(history).containsExactly(2, 4, 6, 8, 10);

                JsonNode s = scaling(leader);
                assertThat(s.get("currentReplicas").asInt()).isEqualTo(10);
                assertThat(s.get("desiredReplicas").asInt()).isEqualTo(10);
                JsonNode cpu = s.get("triggers").get(0);
                assertThat(cpu.get("name").asText()).isEqualTo("cpu");
                assertThat(cpu.get("reading").asDouble()).isEqualTo(95);
                assertThat(cpu.get("state").asText()).startsWith("breaching since ");
                assertThat(reasons(leader)).contains("cpu 90% > 70% for 2s: 2 -> 4",
                        "after 4s cpu 90% (was 90%): not improved (cpu > 70%): 4 -> 6",
                        "cpu 95% > 70% for 2s: 6 -> 8");
                assertThat(leader.output()).contains("scaling scale-up: cpu 90% > 70% for 2s: 2 -> 4");
                assertThat(follower.output()).doesNotContain("scaling scale-up");
                String metrics = leader.get("/q/metrics").body();
                assertThat(metrics).contains("cahoots_scaling_replicas_current 10.0", "cahoots_scaling_leader 1.0",
                        "cahoots_scaling_decisions_total{applied=\"true\",kind=\"scale-up\"} 4.0");

                // 4. An HPA appears on the Deployment: the agent stops acting and says why.
                kube.hpa(NS, "api-hpa", DEPLOYMENT);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    JsonNode st = scaling(leader);
                    assertThat(st.get("mode").asText()).isEqualTo("advisory");
                    assertThat(st.get("modeReason").asText()).startsWith("HorizontalPodAutoscaler api-hpa targets Deployment shop/cahoots-api");
                });
            }
        } finally {
            poller.shutdownNow();
        }
    }

    @Test
    @Order(3)
    void anInvalidScalingSettingStopsTheAgentWithOneLine() throws Exception {
        try (AgentProcess agent = AgentProcess.start(Map.of("AGENT_SCALING_MAX_REPLICAS", "1"))) {
            assertThat(agent.awaitExit(Duration.ofSeconds(60))).isEqualTo(io.cahoots.agent.boot.StartupGate.EXIT_INVALID_SETTING);
            assertThat(agent.output()).contains(
                    "Invalid setting AGENT_SCALING_MAX_REPLICAS='1': expected at least AGENT_SCALING_MIN_REPLICAS (2)");
        }
    }

    /** Waits on the recorded history (not a separate read), so the history is complete when this returns. */
    static void awaitReplicas(List<Integer> history, int replicas, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(10))
                .until(() -> !history.isEmpty() && history.get(history.size() - 1) == replicas);
    }

    static Map<String, String> env(MockKubernetes kube) {
        Map<String, String> env = new HashMap<>();
        env.put("AGENT_SCALING_ENABLED", "true");
        env.put("AGENT_SCALING_NAMESPACE", NS);
        env.put("AGENT_SCALING_DEPLOYMENT", DEPLOYMENT);
        env.put("AGENT_SCALING_PROMETHEUS_URL", prometheus.url().toString());
        env.put("AGENT_SCALING_SUSTAIN", "2s");
        env.put("AGENT_SCALING_OBSERVE", "4s");
        env.put("AGENT_SCALING_INTERVAL", "250ms");
        env.put("AGENT_SCALING_SCALE_DOWN_AFTER", "1h");
        env.put("AGENT_SCALING_QUERY_CPU", "avg(api_cpu_percent)");
        env.put("AGENT_SCALING_QUERY_MEMORY", "avg(api_memory_percent)");
        env.put("AGENT_SCALING_QUERY_QUEUE", "avg(api_queue_length)");
        env.put("AGENT_SCALING_QUERY_P95", "avg(api_p95_ms)");
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", kube.url());
        return env;
    }

    static JsonNode scaling(AgentProcess agent) throws Exception {
        return JSON.readTree(agent.get("/api/v1/scaling").body());
    }

    static List<String> reasons(AgentProcess agent) throws Exception {
        List<String> out = new ArrayList<>();
        scaling(agent).get("decisions").forEach(d -> out.add(d.get("reason").asText()));
        return out;
    }
}
