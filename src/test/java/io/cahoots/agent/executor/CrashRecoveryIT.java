package io.cahoots.agent.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.bench.Load;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import io.cahoots.agent.testing.Polling;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged agent killed with SIGKILL at random moments of rebalances of a loaded cluster (seeded, 20
 * trials). After each restart the cluster must be check-clean within seconds and no key may be lost.
 * "Clean" here: the check is ok, the journal on the cluster is empty and the dead agent's lease is gone.
 */
class CrashRecoveryIT {

    private static final int TRIALS = 20;
    private static final int KEYS = 60_000;
    private static final String TOKEN = "crash-test-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void killedAtRandomMomentsTheAgentAlwaysGetsTheClusterBackToClean() throws Exception {
        Random random = new Random(20261127L);
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(0).clusterNodeTimeoutMillis(3000).build())) {
            Load.fill(lab, KEYS, 50);
            Map<String, String> env = Map.of(
                    "AGENT_CLUSTER_NODES", lab.masters().stream().map(HostPort::toString).collect(Collectors.joining(",")),
                    "AGENT_ADMIN_TOKEN", TOKEN,
                    "AGENT_LEASE_TIMEOUT", "2s",
                    "AGENT_POLL_INTERVAL", "250ms",
                    // Small batches make each job last long enough for the kills to land mid-migration.
                    "AGENT_MIGRATION_BATCH_KEYS", "3");
            List<Long> recoveries = new ArrayList<>();
            int interrupted = 0;
            AgentProcess agent = AgentProcess.start(env);
            try (JedisCluster client = client(lab)) {
                for (int trial = 0; trial <= TRIALS; trial++) {
                    agent.awaitHttp(Duration.ofSeconds(60));
                    long cleanAfter = awaitClean(agent, client, Duration.ofSeconds(60));
                    JsonNode jobs = JSON.readTree(agent.get("/api/v1/jobs").body());
                    for (JsonNode j : jobs) {
                        if (j.get("state").asText().equals("INTERRUPTED")) {
                            interrupted++;
                        }
                    }
                    if (trial > 0) {
                        recoveries.add(cleanAfter);
                    }
                    if (trial == TRIALS) {
                        break;
                    }
                    // Alternate between skewing the slots onto one master and evening them out again.
                    String body = trial % 2 == 0 ? "{\"dryRun\": false, \"weights\": {\"" + firstMasterId(agent) + "\": 3}}"
                            : "{\"dryRun\": false}";
                    HttpResponse<String> started = agent.post("/api/v1/rebalance", body, TOKEN);
                    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
                    // Kill once slots are moving, at a random moment of the next 300 ms: on a quiet machine a
                    // job lasts about a second, so a delay measured from the request often missed it.
                    String jobId = JSON.readTree(started.body()).get("id").asText();
                    awaitSlotsMoving(agent, jobId);
                    Thread.sleep(random.nextInt(300)); // deliberate: the kill's random moment
                    agent.kill();
                    agent = AgentProcess.start(env);
                }
            } finally {
                agent.close();
            }
            long slowest = recoveries.stream().mapToLong(Long::longValue).max().orElse(0);
            System.out.printf("FIGURE crash recovery: %d trials, %d interrupted jobs recovered, slowest restart-to-clean %d ms, "
                    + "median %d ms%n", TRIALS, interrupted, slowest, recoveries.stream().sorted().toList().get(recoveries.size() / 2));
            assertThat(interrupted).as("kills that landed in a running job").isGreaterThan(TRIALS / 2);
            assertEveryKeyIsThere(lab);
        }
    }

    /** Returns once the job has moved a slot or ended, or after 20 s (the kill lands then anyway). */
    private static void awaitSlotsMoving(AgentProcess agent, String jobId) {
        try {
            Polling.poll(Duration.ofSeconds(20), Duration.ofMillis(10)).until(() -> {
                JsonNode job = JSON.readTree(agent.get("/api/v1/jobs/" + jobId).body());
                return job.get("progress").get("slotsDone").asInt() > 0 || !job.get("state").asText().matches("PENDING|RUNNING");
            });
        } catch (ConditionTimeoutException e) {
            // not moving yet: kill it all the same
        }
    }

    /** Milliseconds from the agent's start until the check is clean and no job is pending or running. */
    private static long awaitClean(AgentProcess agent, JedisCluster client, Duration timeout) throws Exception {
        try {
            Polling.poll(timeout, Duration.ofMillis(100)).until(() -> isClean(agent, client));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the cluster was not clean within " + timeout + "; last check: "
                    + agent.get("/api/v1/cluster/check").body() + "\nagent output:\n" + agent.output(), e);
        }
        return agent.sinceStart().toMillis();
    }

    private static boolean isClean(AgentProcess agent, JedisCluster client) throws Exception {
        HttpResponse<String> check = agent.get("/api/v1/cluster/check");
        if (check.statusCode() != 200 || !JSON.readTree(check.body()).get("ok").asBoolean()) {
            return false;
        }
        for (JsonNode j : JSON.readTree(agent.get("/api/v1/jobs").body())) {
            String s = j.get("state").asText();
            if (s.equals("RUNNING") || s.equals("PENDING")) {
                return false;
            }
        }
        return client.hlen("{cahoots-agent}:journal") == 0 && !client.exists("{cahoots-agent}:execution-lease");
    }

    private static JedisCluster client(RedisLab lab) {
        return new JedisCluster(lab.masters().stream().map(h -> new HostAndPort(h.host(), h.port()))
                .collect(Collectors.toSet()), DefaultJedisClientConfig.builder().build(), 5,
                new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>());
    }

    private static String firstMasterId(AgentProcess agent) throws Exception {
        for (JsonNode n : JSON.readTree(agent.get("/api/v1/cluster").body()).get("nodes")) {
            if (n.get("role").asText().equals("master")) {
                return n.get("id").asText();
            }
        }
        throw new AssertionError("no master");
    }

    private static void assertEveryKeyIsThere(RedisLab lab) {
        try (JedisCluster client = client(lab)) {
            int missing = 0;
            for (int i = 0; i < KEYS; i++) {
                if (client.get("key:" + i) == null) {
                    missing++;
                }
            }
            assertThat(missing).as("keys lost").isZero();
        }
    }
}
