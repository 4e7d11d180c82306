package io.cahoots.agent.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The packaged agent as operators run it: start-up checks, the embedded lab, readiness. */
class AgentProcessIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "AGENT_POLL_INTERVAL | abc          | AGENT_POLL_INTERVAL='abc'",
            "AGENT_CLUSTER_NODES | 10.0.0.1     | AGENT_CLUSTER_NODES='10.0.0.1'",
            "AGENT_REDIS_TLS     | maybe        | AGENT_REDIS_TLS='maybe'",
            "AGENT_ADMIN_TOKEN   | short        | AGENT_ADMIN_TOKEN=<hidden",
            // converts, but outside its @Range: reported when the settings record is built, not by SmallRye
            "AGENT_MIGRATION_PARALLELISM | 65  | AGENT_MIGRATION_PARALLELISM='65'",
    })
    void anInvalidSettingStopsTheAgentWithOneClearLine(String variable, String value, String expected) throws Exception {
        try (AgentProcess agent = AgentProcess.start(Map.of(variable, value))) {
            assertThat(agent.awaitExit(Duration.ofSeconds(60))).isEqualTo(StartupGate.EXIT_INVALID_SETTING);
            String line = agent.output().lines().filter(l -> l.startsWith("Invalid setting")).findFirst().orElseThrow(
                    () -> new AssertionError("no 'Invalid setting' line in:\n" + agent.output()));
            assertThat(line).contains(expected).contains("expected");
            assertThat(agent.output()).doesNotContain("Exception");
        }
    }

    @Test
    void theEmbeddedLabComesUpReadyWithThreeMastersAndThreeReplicas() throws Exception {
        try (AgentProcess agent = AgentProcess.start(Map.of("AGENT_LAB", "true"))) {
            Duration http = agent.awaitHttp(Duration.ofSeconds(90));
            await().atMost(Duration.ofSeconds(30)).until(() -> agent.get("/q/health/ready").statusCode() == 200);
            JsonNode cluster = JSON.readTree(agent.get("/api/v1/cluster").body());
            assertThat(cluster.get("state").asText()).isEqualTo("ok");
            int masters = 0;
            int replicas = 0;
            int slots = 0;
            for (JsonNode n : cluster.get("nodes")) {
                if (n.get("role").asText().equals("master")) {
                    masters++;
                } else {
                    replicas++;
                }
                slots += n.get("slotCount").asInt();
            }
            assertThat(masters).isEqualTo(3);
            assertThat(replicas).isEqualTo(3);
            assertThat(slots).isEqualTo(16384);
            assertThat(agent.output()).contains("lab admin token: ");
            Thread.sleep(3000); // a few polls, so the figure is the steady state
            System.out.printf("FIGURE agent+lab start to first HTTP answer: %d ms; RSS while watching the lab: %d MiB%n",
                    http.toMillis(), agent.rssKib() / 1024);
        }
    }

    @Test
    void wrongCredentialsKeepReadinessDownWithTheReason() throws Exception {
        try (RedisLab secured = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(0)
                .password("right-password").build());
             AgentProcess agent = AgentProcess.start(Map.of(
                     "AGENT_CLUSTER_NODES", secured.masters().stream().map(HostPort::toString).collect(Collectors.joining(",")),
                     "AGENT_REDIS_PASSWORD", "wrong-password"))) {
            agent.awaitHttp(Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HttpResponse<String> ready = agent.get("/q/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("authentication failed").contains("WRONGPASS");
            });
            HttpResponse<String> cluster = agent.get("/api/v1/cluster");
            assertThat(cluster.statusCode()).isEqualTo(503);
            assertThat(cluster.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("problem+json"));
            assertThat(cluster.body()).contains("authentication failed");
            assertThat(agent.output()).doesNotContain("wrong-password");
        }
    }
}
