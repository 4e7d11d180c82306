package io.cahoots.agent.bench;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import io.cahoots.agent.testing.SimulatedCluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged agent, with the kit's JVM options, watching clusters of growing size every second: poll p50/p99
 * (each poll's {@code pollMillis}, sampled over the window: time to read every node), the agent process's CPU (utime + stime from
 * /proc over the window, in % of one core) and its RSS at the end. Real lab clusters of the sizes given in masters
 * (one replica each), then a {@link SimulatedCluster} of 500 x 1. Not a test: prints a table.
 *
 * <p>Usage: {@code bench/large-cluster.sh [window-seconds] [real masters...]}, e.g. {@code 30 3 15 50 100}; {@code 30 0}
 * measures the simulated cluster only.
 */
public final class LargeClusterBench {

    /** The kit's JVM options (k8s/api.yaml, less the HTTP host and log manager); {@code -Dbench.javaOpts=...} tries others. */
    public static final String KIT_JAVA_OPTS = "-Xmx88m -Xmn16m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=1000";
    private static final Pattern TAKEN = Pattern.compile("\"takenAt\":\"([^\"]+)\"");
    private static final Pattern POLL_MILLIS = Pattern.compile("\"pollMillis\":(\\d+)");

    record Row(String cluster, int nodes, double p50Ms, double p99Ms, double cpuPercent, long rssMib) {
    }

    public static void main(String[] args) throws Exception {
        int window = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            sizes.add(Integer.parseInt(args[i]));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(3, 15, 50);
        }
        List<Row> rows = new ArrayList<>();
        for (int masters : sizes) {
            if (masters == 0) {
                continue; // "0": the simulated cluster only
            }
            try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(masters).replicasPerMaster(1).readyTimeout(Duration.ofMinutes(3))
                    .clusterNodeTimeoutMillis(15_000).build())) {
                rows.add(measure("real " + masters + " x 1", masters * 2, lab.masters().get(0), window));
                print(rows);
            }
        }
        try (SimulatedCluster sim = SimulatedCluster.start(500, 1)) {
            rows.add(measure("simulated 500 x 1", 1000, sim.masters().get(0), window));
        }
        print(rows);
    }

    static Row measure(String name, int nodes, HostPort seed, int windowSeconds) throws Exception {
        // MALLOC_ARENA_MAX: as the agent's image sets it (src/main/docker/Dockerfile.jvm).
        Map<String, String> env = new java.util.HashMap<>(Map.of("AGENT_CLUSTER_NODES", seed.toString(), "MALLOC_ARENA_MAX", "2"));
        // -Dbench.env.AGENT_X=v passes a setting to the agent, e.g. -Dbench.env.AGENT_METRICS_INTERVAL=10s
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.env."))
                .forEach(k -> env.put(k.substring("bench.env.".length()), System.getProperty(k)));
        try (AgentProcess agent = AgentProcess.start(env,
                System.getProperty("bench.javaOpts", KIT_JAVA_OPTS).split(" "))) {
            agent.awaitHttp(Duration.ofSeconds(90));
            // Warm-up: the JIT, the connection pools, the first full poll. The probe below runs through it, so that
            // the JIT's work on the probe's own HTTP path is not counted in the window. -Dbench.warmup=20 measured
            // the agent before it settled, as the README's first table did (the C2 compiler works for about a minute).
            long warmup = Long.getLong("bench.warmup", 60) * 1_000_000_000L;
            long windowStart = System.nanoTime() + warmup;
            long end = windowStart + windowSeconds * 1_000_000_000L;
            long cpu0 = -1;
            long t0 = 0;
            // Each poll's own duration, sampled every 250 ms over the window (a page of zero nodes is a tiny answer);
            // each poll is counted once, by its takenAt.
            Map<String, Long> polls = new java.util.LinkedHashMap<>();
            while (System.nanoTime() < end) {
                boolean measuring = System.nanoTime() >= windowStart;
                if (measuring && cpu0 < 0) {
                    cpu0 = cpuTicks(agent.pid());
                    t0 = System.nanoTime();
                }
                String body = agent.get("/api/v1/cluster?limit=0").body();
                Matcher taken = TAKEN.matcher(body);
                Matcher millis = POLL_MILLIS.matcher(body);
                if (measuring && taken.find() && millis.find()) {
                    polls.put(taken.group(1), Long.parseLong(millis.group(1)));
                }
                Thread.sleep(250);
            }
            long cpu1 = cpuTicks(agent.pid());
            double seconds = (System.nanoTime() - t0) / 1e9;
            long[] sorted = polls.values().stream().mapToLong(Long::longValue).sorted().toArray();
            double p50 = sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
            double p99 = sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)];
            String cluster = agent.get("/api/v1/cluster/check").body();
            if (!cluster.contains("\"ok\":true")) {
                System.out.println("warning: " + name + " check not ok: " + cluster.substring(0, Math.min(300, cluster.length())));
            }
            return new Row(name, nodes, p50, p99, 100.0 * (cpu1 - cpu0) / 100.0 / seconds, agent.rssKib() / 1024);
        }
    }

    /** utime + stime of a process, in clock ticks (100 per second on Linux). */
    static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static void print(List<Row> rows) {
        System.out.println();
        System.out.println("| cluster | nodes | poll p50 | poll p99 | agent CPU (% of one core) | CPU per 100 nodes | agent RSS |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            System.out.printf("| %s | %d | %.1f ms | %.1f ms | %.1f%% | %.2f%% | %d MiB |%n", r.cluster(), r.nodes(), r.p50Ms(),
                    r.p99Ms(), r.cpuPercent(), r.cpuPercent() * 100 / r.nodes(), r.rssMib());
        }
        System.out.flush();
    }
}
