package io.cahoots.agent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.ClusterNodesParser;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Issue 16's scale-out 3 -> 6 against redis-cli, and the memory balance on a skewed dataset. Each contender gets a
 * fresh lab of 3 masters holding the same keys (default 1,000,000 of 100 bytes) and 3 empty cluster-enabled nodes:
 *
 * <ul>
 *   <li>redis-cli: {@code --cluster add-node} for each empty node, each followed by a wait until every member knows
 *       all the others (its next add-node and its rebalance refuse while nodes disagree), then
 *       {@code --cluster rebalance --cluster-use-empty-masters};</li>
 *   <li>the packaged agent, for each parallelism asked for: ONE {@code POST /api/v1/cluster/nodes} with the three
 *       addresses and {@code "rebalance": true}, timed from the request to the job's success.</li>
 * </ul>
 * Every run is verified: all keys present over the six masters, each new master holding its share.
 * Then (unless {@code skew=0}) the memory balance: 3 masters, one with 3x the bytes at equal slot counts, a
 * {@code "balance": "memory"} rebalance by the agent; memory per master (sum of MEMORY USAGE) before and after.
 *
 * <p>Usage: {@code bench/scale-out.sh [keys] [parallelisms, e.g. 1,2,3,4] [skew keys]}.
 */
public final class ScaleOutBench {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "scale-out-bench-token-0123456789";

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        List<Integer> parallelisms = args.length > 1 ? List.of(args[1].split(",")).stream().map(Integer::parseInt).toList() : List.of(4);
        int skewKeys = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        System.out.printf("load average at start: %s%n", loadAverage());
        double cli = redisCli(keys);
        Map<Integer, Double> agent = new java.util.LinkedHashMap<>();
        for (int p : parallelisms) {
            agent.put(p, agent(keys, p));
        }
        System.out.println();
        System.out.printf("scale-out 3 -> 6 masters, %,d keys of 100 B (load average now %s)%n", keys, loadAverage());
        System.out.printf("%-70s %9s %8s%n", "contender", "seconds", "ratio");
        System.out.printf("%-70s %9.2f %8s%n", "redis-cli --cluster add-node x3 + rebalance --cluster-use-empty-masters", cli, "1.00x");
        agent.forEach((p, s) -> System.out.printf("%-70s %9.2f %7.2fx%n",
                "agent, one add-nodes job (AGENT_MIGRATION_PARALLELISM=" + p + ")", s, cli / s));
        if (skewKeys > 0) {
            memoryBalance(skewKeys);
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "?";
        }
    }

    static RedisLab loaded(int keys) {
        RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(0).spareNodes(3).build());
        Load.fill(lab, keys, 100);
        return lab;
    }

    static double redisCli(int keys) throws Exception {
        try (RedisLab lab = loaded(keys)) {
            RebalanceBench.sleep(1500);
            HostPort seed = lab.masters().get(0);
            long t0 = System.nanoTime();
            List<HostPort> members = new ArrayList<>(lab.masters());
            for (HostPort spare : lab.spareNodes()) {
                run("redis-cli", "--cluster", "add-node", spare.toString(), seed.toString());
                // The next add-node (and the rebalance) refuses while the nodes disagree ("Nodes don't agree about
                // configuration!"): as an operator would, wait for the cluster to know the new node.
                members.add(spare);
                awaitKnown(lab, members);
            }
            run("redis-cli", "--cluster", "rebalance", seed.toString(), "--cluster-use-empty-masters");
            double seconds = (System.nanoTime() - t0) / 1e9;
            verify(lab, keys);
            System.out.printf("redis-cli: %.2f s%n", seconds);
            return seconds;
        }
    }

    static double agent(int keys, int parallelism) throws Exception {
        try (RedisLab lab = loaded(keys)) {
            Map<String, String> env = new HashMap<>();
            env.put("AGENT_CLUSTER_NODES", lab.masters().stream().map(HostPort::toString).collect(Collectors.joining(",")));
            env.put("AGENT_ADMIN_TOKEN", TOKEN);
            env.put("AGENT_MIGRATION_PARALLELISM", Integer.toString(parallelism));
            try (AgentProcess agent = AgentProcess.start(env)) {
                agent.awaitHttp(Duration.ofSeconds(90));
                awaitCheckOk(agent);
                String addresses = lab.spareNodes().stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(", "));
                long t0 = System.nanoTime();
                var r = agent.post("/api/v1/cluster/nodes", "{\"addresses\": [" + addresses + "], \"rebalance\": true}", TOKEN);
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("agent refused: " + r.body());
                }
                String id = JSON.readTree(r.body()).get("id").asText();
                long[] phase = new long[2]; // when the plan was made (slotsTotal set), when the last slot moved
                JsonNode job = awaitJob(agent, id, phase);
                double seconds = (System.nanoTime() - t0) / 1e9;
                verify(lab, keys);
                System.out.printf("agent, parallelism %d: %.2f s (%s keys moved; join %.2f s, plan to last slot %.2f s)%n",
                        parallelism, seconds, job.get("progress").get("keysMoved"), (phase[0] - t0) / 1e9, (phase[1] - phase[0]) / 1e9);
                return seconds;
            }
        }
    }

    static void memoryBalance(int keys) throws Exception {
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(0).build())) {
            HostPort heavy = lab.masters().get(0);
            HostPort[] owner = owners(lab);
            Map<HostPort, List<String>> byOwner = new HashMap<>();
            for (int i = 0; i < keys; i++) {
                String k = "key:" + i;
                byOwner.computeIfAbsent(owner[JedisClusterCRC16.getSlot(k)], x -> new ArrayList<>()).add(k);
            }
            byOwner.entrySet().parallelStream().forEach(e -> {
                String value = (e.getKey().equals(heavy) ? "b" : "s").repeat(e.getKey().equals(heavy) ? 760 : 200);
                try (Jedis j = lab.connect(e.getKey())) {
                    Pipeline p = j.pipelined();
                    int n = 0;
                    for (String k : e.getValue()) {
                        p.set(k, value);
                        if (++n % 5000 == 0) {
                            p.sync();
                        }
                    }
                    p.sync();
                }
            });
            Map<HostPort, Long> before = memory(lab);
            Map<String, String> env = new HashMap<>();
            env.put("AGENT_CLUSTER_NODES", lab.masters().stream().map(HostPort::toString).collect(Collectors.joining(",")));
            env.put("AGENT_ADMIN_TOKEN", TOKEN);
            double preview;
            double seconds;
            try (AgentProcess agent = AgentProcess.start(env)) {
                agent.awaitHttp(Duration.ofSeconds(90));
                awaitCheckOk(agent);
                long t0 = System.nanoTime();
                var dry = agent.post("/api/v1/rebalance", "{\"balance\": \"memory\"}", TOKEN);
                preview = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                var r = agent.post("/api/v1/rebalance", "{\"balance\": \"memory\", \"dryRun\": false}", TOKEN);
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("agent refused: " + r.body() + " (preview " + dry.body() + ")");
                }
                awaitJob(agent, JSON.readTree(r.body()).get("id").asText());
                seconds = (System.nanoTime() - t0) / 1e9;
            }
            Map<HostPort, Long> after = memory(lab);
            System.out.println();
            System.out.printf("memory balance, %,d keys, one master with 3x the bytes at equal slot counts (load average %s)%n", keys, loadAverage());
            System.out.printf("  memory per master before: %s (largest distance from the mean %.1f%%)%n", mib(before), 100 * spread(before));
            System.out.printf("  memory per master after:  %s (largest distance from the mean %.1f%%)%n", mib(after), 100 * spread(after));
            System.out.printf("  preview (sampling every slot) %.2f s, rebalance job %.2f s%n", preview, seconds);
        }
    }

    static String mib(Map<HostPort, Long> m) {
        return m.values().stream().map(v -> String.format("%.1f MiB", v / 1048576.0)).collect(Collectors.joining(", "));
    }

    static double spread(Map<HostPort, Long> m) {
        double mean = m.values().stream().mapToLong(Long::longValue).average().orElseThrow();
        return m.values().stream().mapToDouble(v -> Math.abs(v - mean) / mean).max().orElseThrow();
    }

    static HostPort[] owners(RedisLab lab) {
        HostPort[] owner = new HostPort[SlotRange.SLOT_COUNT];
        try (Jedis any = lab.connect(lab.masters().get(0))) {
            for (NodeEntry e : ClusterNodesParser.parse(any.clusterNodes())) {
                if (e.master()) {
                    for (SlotRange r : e.slots()) {
                        for (int s = r.start(); s <= r.end(); s++) {
                            owner[s] = e.address().orElseThrow();
                        }
                    }
                }
            }
        }
        return owner;
    }

    /** Per master, in address order: the sum of MEMORY USAGE over its keys (the test helper's measurement). */
    static Map<HostPort, Long> memory(RedisLab lab) {
        Map<HostPort, Long> out = new java.util.TreeMap<>(java.util.Comparator.comparing(HostPort::toString));
        out.putAll(io.cahoots.agent.executor.LabData.memory(lab, lab.masters()));
        return out;
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || out.contains("[ERR]")) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }

    /** Until every one of {@code members} knows all of them (no handshake) and says the cluster is ok. */
    static void awaitKnown(RedisLab lab, List<HostPort> members) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            boolean known = members.stream().allMatch(m -> {
                try (Jedis j = lab.connect(m)) {
                    String view = j.clusterNodes();
                    return view.lines().count() == members.size() && !view.contains("handshake")
                            && j.clusterInfo().contains("cluster_state:ok");
                }
            });
            if (known) {
                return;
            }
            RebalanceBench.sleep(100);
        }
        throw new IllegalStateException("the new nodes did not join within 60 s");
    }

    static void awaitCheckOk(AgentProcess agent) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (JSON.readTree(agent.get("/api/v1/cluster/check").body()).path("ok").asBoolean()) {
                return;
            }
            RebalanceBench.sleep(200);
        }
        throw new IllegalStateException("the agent's check did not turn ok");
    }

    static JsonNode awaitJob(AgentProcess agent, String id) throws Exception {
        return awaitJob(agent, id, new long[2]);
    }

    /** Also notes (to 50 ms) when the job had its plan and when its last slot had moved, in {@code phase}. */
    static JsonNode awaitJob(AgentProcess agent, String id, long[] phase) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = JSON.readTree(agent.get("/api/v1/jobs/" + id).body());
            JsonNode progress = job.path("progress");
            if (phase[0] == 0 && progress.path("slotsTotal").asInt() > 0) {
                phase[0] = System.nanoTime();
            }
            if (phase[1] == 0 && progress.path("slotsTotal").asInt() > 0
                    && progress.path("slotsDone").asInt() >= progress.path("slotsTotal").asInt()) {
                phase[1] = System.nanoTime();
            }
            String state = job.get("state").asText();
            if (state.equals("SUCCEEDED")) {
                return job;
            }
            if (!state.equals("PENDING") && !state.equals("RUNNING")) {
                throw new IllegalStateException("job " + job);
            }
            RebalanceBench.sleep(50);
        }
        throw new IllegalStateException("job " + id + " did not end within 10 min");
    }

    /** Every key present over the six masters; each new master holds at least an eighth of them. */
    static void verify(RedisLab lab, int keys) {
        long total = 0;
        List<HostPort> all = new ArrayList<>(lab.masters());
        all.addAll(lab.spareNodes());
        for (HostPort n : all) {
            try (Jedis j = lab.connect(n)) {
                long mine = j.keys("key:*").size();
                total += mine;
                if (lab.spareNodes().contains(n) && mine < keys / 8) {
                    throw new IllegalStateException(n + " got only " + mine + " keys");
                }
            }
        }
        if (total != keys) {
            throw new IllegalStateException("expected " + keys + " keys after the scale-out, found " + total);
        }
    }
}
