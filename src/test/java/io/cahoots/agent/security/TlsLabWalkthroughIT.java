package io.cahoots.agent.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.RedisTls;
import io.cahoots.agent.testing.AgentProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's walkthrough on the lab started with {@code AGENT_LAB_TLS=true}, as a newcomer runs it: the packaged
 * agent, every node and Sentinel on TLS only (mutual TLS, hostnames verified), the agent connected as its
 * least-privilege ACL user. The spare joins and the cluster is rebalanced onto it, the spare is removed again, a
 * rebalance is previewed, the Sentinel group is watched; keys written over TLS before are all there after.
 */
class TlsLabWalkthroughIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "tls-walkthrough-0123456789abcdef";
    private static final int KEYS = 5_000;
    private static final Duration JOB = Duration.ofSeconds(120);

    @Test
    void everyWalkthroughStepWorksOnTheTlsLabUnderTheLeastPrivilegeUser() throws Exception {
        try (AgentProcess agent = AgentProcess.start(Map.of("AGENT_LAB", "true", "AGENT_LAB_TLS", "true", "AGENT_ADMIN_TOKEN", TOKEN))) {
            agent.awaitHttp(Duration.ofSeconds(120));
            await().atMost(Duration.ofSeconds(60)).until(() -> agent.get("/q/health/ready").statusCode() == 200);
            assertThat(agent.output()).contains("lab TLS: every node and Sentinel on TLS only")
                    .contains("the agent connects as the ACL user 'cahoots-agent'");
            List<HostPort> masters = addresses(agent.output(), "lab cluster masters");
            HostPort spare = addresses(agent.output(), "spare nodes").get(0);

            JsonNode cluster = JSON.readTree(agent.get("/api/v1/cluster").body());
            assertThat(cluster.get("state").asText()).isEqualTo("ok");
            assertThat(masterCount(cluster)).isEqualTo(3);
            assertThat(JSON.readTree(agent.get("/api/v1/cluster/check").body()).get("ok").asBoolean()).isTrue();

            try (JedisCluster client = tlsClient(agent.output(), masters)) {
                for (int i = 0; i < KEYS; i++) {
                    client.set("walk:" + i, "v" + i);
                }

                // Add the spare as a master and rebalance onto it: one job, MIGRATE between TLS nodes as the agent's user.
                HttpResponse<String> added = agent.post("/api/v1/cluster/nodes",
                        "{\"address\": \"" + spare + "\", \"rebalance\": true}", TOKEN);
                assertThat(added.statusCode()).as(added.body()).isEqualTo(202);
                awaitSucceeded(agent, JSON.readTree(added.body()).get("id").asText());
                await().atMost(Duration.ofSeconds(30)).until(() -> masterCount(JSON.readTree(agent.get("/api/v1/cluster").body())) == 4
                        && JSON.readTree(agent.get("/api/v1/cluster/check").body()).get("ok").asBoolean());

                // A preview changes nothing.
                HttpResponse<String> preview = agent.post("/api/v1/rebalance", "{}", TOKEN);
                assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);

                // Remove it again: drained, then forgotten.
                String id = nodeId(JSON.readTree(agent.get("/api/v1/cluster").body()), spare);
                HttpResponse<String> removed = agent.delete("/api/v1/cluster/nodes/" + id, TOKEN);
                assertThat(removed.statusCode()).as(removed.body()).isEqualTo(202);
                awaitSucceeded(agent, JSON.readTree(removed.body()).get("id").asText());
                await().atMost(Duration.ofSeconds(30)).until(() -> masterCount(JSON.readTree(agent.get("/api/v1/cluster").body())) == 3
                        && JSON.readTree(agent.get("/api/v1/cluster/check").body()).get("ok").asBoolean());

                int missing = 0;
                for (int i = 0; i < KEYS; i++) {
                    if (!("v" + i).equals(client.get("walk:" + i))) {
                        missing++;
                    }
                }
                assertThat(missing).as("keys lost").isZero();
            }

            // The Sentinel group, watched over TLS.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(agent.get("/api/v1/sentinel").body()).contains("mymaster"));
            assertThat(agent.output()).doesNotContain("NOPERM");
        }
    }

    private static void awaitSucceeded(AgentProcess agent, String jobId) {
        await().atMost(JOB).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode job = JSON.readTree(agent.get("/api/v1/jobs/" + jobId).body());
            String state = job.get("state").asText();
            assertThat(state).as("job %s: %s", jobId, job).isNotIn("FAILED", "CANCELLED", "INTERRUPTED");
            return state.equals("SUCCEEDED");
        });
    }

    private static int masterCount(JsonNode cluster) {
        int masters = 0;
        for (JsonNode n : cluster.get("nodes")) {
            if (n.get("role").asText().equals("master") && n.get("slotCount").asInt() > 0) {
                masters++;
            }
        }
        return masters;
    }

    private static String nodeId(JsonNode cluster, HostPort address) {
        for (JsonNode n : cluster.get("nodes")) {
            if (address.toString().equals(n.get("address").asText())) {
                return n.get("id").asText();
            }
        }
        throw new AssertionError("no node at " + address + " in " + cluster);
    }

    /** The addresses the lab logged after {@code label}, e.g. "lab cluster masters [127.0.0.1:1, ...]". */
    private static List<HostPort> addresses(String output, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + " \\[([^\\]]*)\\]").matcher(output);
        assertThat(m.find()).as("'%s' in the agent's log", label).isTrue();
        return Arrays.stream(m.group(1).split(",\\s*")).map(HostPort::parse).toList();
    }

    /** A cluster client with the lab's CA and client certificate, read from the line the lab logs for redis-cli. */
    private static JedisCluster tlsClient(String output, List<HostPort> masters) {
        Matcher m = Pattern.compile("CA (\\S+), client certificate (\\S+), key (\\S+) \\(").matcher(output);
        assertThat(m.find()).as("the lab's TLS files in the log").isTrue();
        RedisTls tls = RedisTls.of(Optional.of(Path.of(m.group(1))), Optional.of(Path.of(m.group(2))),
                Optional.of(Path.of(m.group(3))), true);
        JedisClientConfig config = DefaultJedisClientConfig.builder().ssl(true).sslSocketFactory(tls.socketFactory())
                .sslParameters(tls.parameters()).timeoutMillis(5000).build();
        Set<HostAndPort> seeds = masters.stream().map(h -> new HostAndPort(h.host(), h.port())).collect(Collectors.toSet());
        return new JedisCluster(seeds, config, 5, new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>());
    }
}
