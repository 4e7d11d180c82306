package io.cahoots.agent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.ClusterNodesParser;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.testing.AgentProcess;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A full roll of the agent's lab (3 masters x 1 replica, real processes) loaded with N keys of 100 bytes, against the
 * same six restarts done without failovers, each under the same client load (4 threads of a JedisCluster client doing
 * SET then GET of random loaded keys without pause). Prints per run: wall time, client operations, client errors,
 * p50/p99/max latency of an operation, and the load average.
 *
 * <ol>
 *   <li>{@code roll}: {@code POST /api/v1/cluster/roll} on the packaged agent ({@code AGENT_LAB=true}).</li>
 *   <li>{@code kill+restart}: every node in turn, replicas first, as a RollingUpdate does it: SIGKILL, start again at
 *       once with AOF on (enabled on every node first, so that a master keeps its data, as the kit's nodes do), wait
 *       until it is back, synced and the cluster ok. A master comes back before or after its replica took over
 *       (node timeout 3 s); either way its clients wait or fail meanwhile.</li>
 * </ol>
 * Usage: bench/roll.sh [keys]
 */
public final class RollBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "roll-bench-0123456789abcdef";
    private static final Pattern LIST = Pattern.compile("lab cluster masters \\[([^\\]]*)\\], replicas \\[([^\\]]*)\\]");

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        List<Process> restarted = new ArrayList<>();
        try (AgentProcess agent = AgentProcess.start(Map.of("AGENT_LAB", "true", "AGENT_ADMIN_TOKEN", TOKEN))) {
            agent.awaitHttp(Duration.ofSeconds(300));
            awaitOk(agent, Duration.ofSeconds(300));
            Matcher m = LIST.matcher(agent.output());
            if (!m.find()) {
                throw new IllegalStateException("no lab addresses in the agent's log");
            }
            List<HostPort> masters = parse(m.group(1));
            List<HostPort> all = new ArrayList<>(masters);
            all.addAll(parse(m.group(2)));
            long t0 = System.nanoTime();
            fill(masters.get(0), keys);
            awaitSynced(all);
            System.out.printf(Locale.ROOT, "loaded %,d keys of 100 bytes in %.1f s; load average %s%n", keys,
                    (System.nanoTime() - t0) / 1e9, loadAverage());
            System.out.println(header());

            // 1. The roll, through the agent.
            try (Client c = new Client(masters)) {
                long start = System.nanoTime();
                var r = agent.post("/api/v1/cluster/roll", "{\"dryRun\": false, \"nodeTimeoutSeconds\": 600}", TOKEN);
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("roll refused: " + r.body());
                }
                String id = JSON.readTree(r.body()).get("id").asText();
                JsonNode job;
                do {
                    Thread.sleep(500);
                    job = JSON.readTree(agent.get("/api/v1/jobs/" + id).body());
                } while (!List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(job.get("state").asText()));
                double seconds = (System.nanoTime() - start) / 1e9;
                c.stop();
                System.out.println(c.row("roll (agent: failover, then restart; 6 nodes)", seconds, job.get("state").asText()));
                if (job.has("result")) {
                    System.out.println("    per node (failover ms, restart ms): " + perNode(job.get("result")));
                }
            }

            // 2. The same six restarts without failovers, AOF on so that a restarted master keeps its data.
            awaitOk(agent, Duration.ofSeconds(120));
            for (HostPort n : all) {
                try (Jedis j = new Jedis(n.host(), n.port(), 10_000)) {
                    j.configSet("appendonly", "yes");
                }
            }
            for (HostPort n : all) {
                awaitInfo(n, "aof_rewrite_in_progress:0", Duration.ofSeconds(300));
            }
            try (Client c = new Client(masters)) {
                long start = System.nanoTime();
                List<HostPort> order = new ArrayList<>(roles(all, false));
                order.addAll(roles(all, true));
                for (HostPort n : order) {
                    restarted.add(killAndRestart(n));
                    awaitBack(n, all, Duration.ofSeconds(600));
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                c.stop();
                System.out.println(c.row("kill -9 + restart (AOF, no failover first; 6 nodes)", seconds, "done"));
            }
            System.out.println("load average at the end: " + loadAverage());
        } finally {
            for (Process p : restarted) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** SIGKILL the node's process, then the same redis-server, config and dir again with AOF on; returns it. */
    static Process killAndRestart(HostPort n) throws Exception {
        long pid;
        String config;
        try (Jedis j = new Jedis(n.host(), n.port(), 10_000)) {
            String info = j.info("server");
            pid = Long.parseLong(field(info, "process_id"));
            config = field(info, "config_file");
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
        Path dir = Path.of(config).getParent();
        return new ProcessBuilder("redis-server", config, "--appendonly", "yes").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("console.log").toFile()))
                .start();
    }

    /** Back: answers, not loading, a replica with its link up, every node cluster_state:ok. */
    static void awaitBack(HostPort n, List<HostPort> all, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                boolean ok = true;
                for (HostPort a : all) {
                    try (Jedis j = new Jedis(a.host(), a.port(), 2000)) {
                        String info = j.info();
                        ok &= info.contains("loading:0") && (info.contains("role:master") || info.contains("master_link_status:up"))
                                && j.clusterInfo().contains("cluster_state:ok");
                    }
                }
                if (ok) {
                    return;
                }
            } catch (RuntimeException e) {
                // not back yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(n + " not back within " + timeout);
    }

    static List<HostPort> roles(List<HostPort> all, boolean masters) {
        List<HostPort> out = new ArrayList<>();
        for (HostPort a : all) {
            try (Jedis j = new Jedis(a.host(), a.port(), 5000)) {
                if (j.info("replication").contains("role:master") == masters) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /** Pipelined SETs of key:0..n-1 straight to the master owning each key's slot. */
    static void fill(HostPort seed, int keys) {
        String value = "v".repeat(100);
        HostPort[] owner = new HostPort[SlotRange.SLOT_COUNT];
        try (Jedis any = new Jedis(seed.host(), seed.port(), 10_000)) {
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
        Map<HostPort, List<String>> byOwner = new HashMap<>();
        for (int i = 0; i < keys; i++) {
            String key = "key:" + i;
            byOwner.computeIfAbsent(owner[JedisClusterCRC16.getSlot(key)], k -> new ArrayList<>()).add(key);
        }
        byOwner.entrySet().parallelStream().forEach(e -> {
            try (Jedis jedis = new Jedis(e.getKey().host(), e.getKey().port(), 30_000)) {
                Pipeline p = jedis.pipelined();
                int n = 0;
                for (String key : e.getValue()) {
                    p.set(key, value);
                    if (++n % 5000 == 0) {
                        p.sync();
                    }
                }
                p.sync();
            }
        });
    }

    static void awaitSynced(List<HostPort> all) throws InterruptedException {
        for (HostPort a : all) {
            awaitInfo(a, "loading:0", Duration.ofSeconds(300));
        }
        Thread.sleep(2000);
    }

    static void awaitInfo(HostPort a, String line, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Jedis j = new Jedis(a.host(), a.port(), 5000)) {
                if (j.info().contains(line)) {
                    return;
                }
            } catch (RuntimeException e) {
                // retry
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(a + ": no " + line + " within " + timeout);
    }

    static void awaitOk(AgentProcess agent, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                var r = agent.get("/api/v1/cluster/check");
                if (r.statusCode() == 200 && JSON.readTree(r.body()).get("ok").asBoolean()) {
                    return;
                }
            } catch (Exception e) {
                // not yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("cluster not ok within " + timeout);
    }

    static String perNode(JsonNode result) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : result.path("done")) {
            out.add(d.get("address").asText() + " " + d.get("failoverMillis").asLong() + "/" + d.get("restartMillis").asLong());
        }
        return String.join(", ", out);
    }

    static String field(String info, String name) {
        return info.lines().filter(l -> l.startsWith(name + ":")).map(l -> l.substring(name.length() + 1).trim())
                .findFirst().orElseThrow();
    }

    static List<HostPort> parse(String list) {
        return Arrays.stream(list.split(",\\s*")).map(HostPort::parse).toList();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "?";
        }
    }

    static String header() {
        return String.format(Locale.ROOT, "  %-52s %8s %10s %7s %8s %8s %9s", "run", "seconds", "client ops", "errors",
                "p50 ms", "p99 ms", "max ms");
    }

    /** 4 threads: SET then GET of random loaded keys, each operation timed; errors counted, the thread goes on. */
    static final class Client implements AutoCloseable {
        private final JedisCluster cluster;
        private final ExecutorService threads = Executors.newFixedThreadPool(4);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        private final AtomicLong errors = new AtomicLong();
        private volatile String firstError;

        Client(List<HostPort> seeds) {
            cluster = new JedisCluster(seeds.stream().map(h -> new HostAndPort(h.host(), h.port())).collect(Collectors.toSet()),
                    DefaultJedisClientConfig.builder().timeoutMillis(2000).build(), 5,
                    new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>());
            for (int t = 0; t < 4; t++) {
                threads.submit(() -> {
                    while (running.get()) {
                        String key = "key:" + ThreadLocalRandom.current().nextInt(1000);
                        long s = System.nanoTime();
                        try {
                            cluster.set(key, "w" + s);
                            cluster.get(key);
                            latencies.add((System.nanoTime() - s) / 2e6);
                        } catch (RuntimeException e) {
                            errors.incrementAndGet();
                            if (firstError == null) {
                                firstError = e.getClass().getSimpleName() + ": " + e.getMessage();
                            }
                            sleep(10);
                        }
                    }
                });
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            threads.shutdown();
            threads.awaitTermination(30, TimeUnit.SECONDS);
        }

        String row(String name, double seconds, String state) {
            List<Double> sorted;
            synchronized (latencies) {
                sorted = new ArrayList<>(latencies);
            }
            Collections.sort(sorted);
            double p50 = sorted.isEmpty() ? 0 : sorted.get((int) Math.ceil(0.50 * sorted.size()) - 1);
            double p99 = sorted.isEmpty() ? 0 : sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1);
            double max = sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1);
            return String.format(Locale.ROOT, "  %-52s %8.1f %10d %7d %8.1f %8.1f %9.1f  %s%s", name, seconds,
                    sorted.size(), errors.get(), p50, p99, max, state, firstError == null ? "" : "; first error: " + firstError);
        }

        @Override
        public void close() {
            running.set(false);
            threads.shutdownNow();
            cluster.close();
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
