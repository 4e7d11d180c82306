package io.cahoots.agent.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Data and job helpers for the ITs of issue 16 that drive the packaged agent over HTTP on their own lab. */
public final class LabData {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "issue-16-balance-it-token";

    private LabData() {
    }

    /** Slot -> the master that owns it, from each master's own {@code CLUSTER NODES} line. */
    static HostPort[] owners(RedisLab lab, List<HostPort> masters) {
        HostPort[] owner = new HostPort[16384];
        for (HostPort m : masters) {
            try (Jedis j = lab.connect(m)) {
                String mine = j.clusterNodes().lines().filter(l -> l.contains("myself")).findFirst().orElseThrow();
                String[] f = mine.split(" ");
                for (int i = 8; i < f.length; i++) {
                    if (f[i].startsWith("[")) {
                        continue;
                    }
                    String[] r = f[i].split("-");
                    int a = Integer.parseInt(r[0]);
                    int b = r.length > 1 ? Integer.parseInt(r[1]) : a;
                    for (int s = a; s <= b; s++) {
                        owner[s] = m;
                    }
                }
            }
        }
        return owner;
    }

    /** Writes {@code key:0..n-1}, each with {@code value.apply(slot)}, pipelined straight to the slot's owner. */
    static void load(RedisLab lab, List<HostPort> masters, int n, IntFunction<String> value) {
        HostPort[] owner = owners(lab, masters);
        Map<HostPort, List<String>> byOwner = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String k = key(i);
            byOwner.computeIfAbsent(owner[JedisClusterCRC16.getSlot(k)], x -> new ArrayList<>()).add(k);
        }
        byOwner.entrySet().parallelStream().forEach(e -> {
            try (Jedis j = lab.connect(e.getKey())) {
                Pipeline p = j.pipelined();
                for (String k : e.getValue()) {
                    p.set(k, value.apply(JedisClusterCRC16.getSlot(k)));
                }
                p.sync();
            }
        });
    }

    static String key(int i) {
        return "key:" + i;
    }

    /** Per master: the sum of {@code MEMORY USAGE} over every key it holds (exact, read from outside). */
    public static Map<HostPort, Long> memory(RedisLab lab, List<HostPort> masters) {
        Map<HostPort, Long> out = new HashMap<>();
        for (HostPort m : masters) {
            long sum = 0;
            try (Jedis j = lab.connect(m)) {
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    ScanResult<String> page = j.scan(cursor, new ScanParams().match("key:*").count(1000));
                    Pipeline p = j.pipelined();
                    List<Response<Long>> sizes = new ArrayList<>();
                    page.getResult().forEach(k -> sizes.add(p.memoryUsage(k)));
                    p.sync();
                    for (Response<Long> r : sizes) {
                        sum += r.get() == null ? 0 : r.get();
                    }
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            }
            out.put(m, sum);
        }
        return out;
    }

    /** Keys named {@code key:*} over the masters (each key once: a copy left on a source would count twice). */
    static long countKeys(RedisLab lab, List<HostPort> masters) {
        long n = 0;
        for (HostPort m : masters) {
            try (Jedis j = lab.connect(m)) {
                String cursor = ScanParams.SCAN_POINTER_START;
                do {
                    ScanResult<String> page = j.scan(cursor, new ScanParams().match("key:*").count(1000));
                    n += page.getResult().size();
                    cursor = page.getCursor();
                } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            }
        }
        return n;
    }

    /** The largest relative distance of a master from the mean. */
    static double spread(Map<?, Long> perMaster) {
        double mean = perMaster.values().stream().mapToLong(Long::longValue).average().orElseThrow();
        return perMaster.values().stream().mapToDouble(v -> Math.abs(v - mean) / mean).max().orElseThrow();
    }

    /** Every key where its slot's owner says it is, with its value; and nothing else. */
    static void verify(RedisLab lab, List<HostPort> masters, int n, IntFunction<String> value) {
        HostPort[] owner = owners(lab, masters);
        Map<HostPort, List<Integer>> byOwner = new HashMap<>();
        for (int i = 0; i < n; i++) {
            HostPort o = owner[JedisClusterCRC16.getSlot(key(i))];
            assertThat(o).as("owner of the slot of %s", key(i)).isNotNull();
            byOwner.computeIfAbsent(o, x -> new ArrayList<>()).add(i);
        }
        byOwner.forEach((m, keys) -> {
            try (Jedis j = lab.connect(m)) {
                Pipeline p = j.pipelined();
                List<Response<String>> got = new ArrayList<>();
                keys.forEach(i -> got.add(p.get(key(i))));
                p.sync();
                for (int x = 0; x < keys.size(); x++) {
                    int i = keys.get(x);
                    assertThat(got.get(x).get()).as("%s on %s", key(i), m).isEqualTo(value.apply(JedisClusterCRC16.getSlot(key(i))));
                }
            }
        });
    }

    static JsonNode post(AgentProcess agent, String path, String body, int status) throws Exception {
        HttpResponse<String> r = agent.post(path, body, TOKEN);
        assertThat(r.statusCode()).as("%s %s -> %s", path, body, r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    /** Waits for the job to end and asserts it succeeded; returns its last JSON. */
    static JsonNode awaitJob(AgentProcess agent, String id, Duration atMost) throws Exception {
        await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> {
            String state = JSON.readTree(agent.get("/api/v1/jobs/" + id).body()).get("state").asText();
            return !state.equals("PENDING") && !state.equals("RUNNING");
        });
        JsonNode job = JSON.readTree(agent.get("/api/v1/jobs/" + id).body());
        assertThat(job.get("state").asText()).as("%s", job).isEqualTo("SUCCEEDED");
        return job;
    }

    static void awaitCheckOk(AgentProcess agent) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> JSON.readTree(agent.get("/api/v1/cluster/check").body()).get("ok").asBoolean());
    }
}
