package io.cahoots.agent.bench;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.executor.MigrationTuning;
import io.cahoots.agent.redis.lab.RedisLab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Issue 16: what clients feel during a rebalance. A real load generator, {@code redis-benchmark --cluster} (4
 * clients of random 100-byte GETs), runs in back-to-back windows of N requests while the 1M-key lab of
 * {@link RebalanceBench} is rebalanced onto its empty fourth master by each contender, each on a fresh lab with
 * the same keys: no rebalance (idle), {@code redis-cli --cluster rebalance --cluster-use-empty-masters}, the agent
 * without a latency budget and with each budget given. Every window's p50/p99 and requests/s come from
 * redis-benchmark's own CSV; a contender's figures are the median and the worst over the windows that started
 * while it was moving. Usage: {@code bench/client-latency.sh [keys] [requests per window] [budgets ms, default 0.7,1]}.
 */
public final class ClientLatencyBench {

    /**
     * One redis-benchmark run; {@code failed}: it aborted without a result. redis-benchmark 7.0 skips a master
     * without slots at start-up and aborts ("could not find node with ID ...") when a slot moves to it: the run
     * under way when the first slot reaches the empty master fails; the next one sees that master and works.
     */
    record Window(double rps, double p50, double p99, int warnings, boolean failed) {
    }

    /** Throughput is {@link #median} of each window's requests over its wall time (redis-benchmark's start-up included). */
    record Row(String name, double seconds, List<Window> windows) {
        double median(java.util.function.ToDoubleFunction<Window> f) {
            double[] v = windows.stream().filter(w -> !w.failed).mapToDouble(f).sorted().toArray();
            return v.length == 0 ? Double.NaN : v[v.length / 2];
        }

        double worst(java.util.function.ToDoubleFunction<Window> f) {
            return windows.stream().filter(w -> !w.failed).mapToDouble(f).max().orElse(Double.NaN);
        }

        int warnings() {
            return windows.stream().mapToInt(Window::warnings).sum();
        }

        long failed() {
            return windows.stream().filter(Window::failed).count();
        }
    }

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int perWindow = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        List<Double> budgets = args.length > 2
                ? Arrays.stream(args[2].split(",")).map(String::trim).map(Double::parseDouble).toList() : List.of(0.7, 1.0);
        MigrationTuning agentDefaults = MigrationTuning.defaults(1000, 4).withLimits(Duration.ZERO, 8L << 20);
        List<Row> rows = new ArrayList<>();
        rows.add(run("idle cluster (no rebalance)", keys, perWindow, lab -> {
            RebalanceBench.sleep(10_000);
            return Double.NaN;
        }));
        rows.add(run("redis-cli --cluster rebalance (default)", keys, perWindow,
                lab -> RebalanceBench.redisCli(lab, keys, null).seconds()));
        rows.add(run("agent, no budget (off)", keys, perWindow,
                lab -> RebalanceBench.agent(lab, keys, agentDefaults).seconds()));
        for (double ms : budgets) {
            Duration budget = Duration.ofNanos(Math.round(ms * 1_000_000));
            rows.add(run("agent, AGENT_MIGRATION_MAX_LATENCY=" + Math.round(ms * 1000) + "us", keys, perWindow,
                    lab -> RebalanceBench.agent(lab, keys, agentDefaults.withLimits(budget, 8L << 20)).seconds()));
        }
        Row cli = rows.get(1);
        System.out.println();
        System.out.printf(Locale.ROOT, "%d keys of 100 B, 3 masters -> 4; redis-benchmark --cluster -t get -c 4 -d 100, windows of %d requests%n",
                keys, perWindow);
        System.out.printf(Locale.ROOT, "%-40s %8s %7s %8s %8s %9s %10s %8s %9s %7s %9s%n", "contender", "time s", "windows",
                "p50 ms", "p99 ms", "worst p99", "GET/s", "x faster", "p99/cli", "failed", "warnings");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-40s %8s %7d %8.3f %8.3f %9.3f %10.0f %8s %9.2f %7d %9d%n", r.name,
                    Double.isNaN(r.seconds) ? "-" : String.format(Locale.ROOT, "%.2f", r.seconds), r.windows.size(),
                    r.median(Window::p50), r.median(Window::p99), r.worst(Window::p99), r.median(Window::rps),
                    Double.isNaN(r.seconds) ? "-" : String.format(Locale.ROOT, "%.2fx", cli.seconds / r.seconds),
                    r.median(Window::p99) / cli.median(Window::p99), r.failed(), r.warnings());
        }
        System.out.println("(p50, p99, GET/s: median over the windows; worst p99: the worst window;"
                + " failed: runs redis-benchmark aborted; warnings: its slot-map refresh messages; load average: "
                + loadAverage() + ")");
    }

    interface Contender {
        double rebalance(RedisLab lab) throws Exception;
    }

    /** A fresh loaded lab, the load generator in windows while {@code contender} runs, then the windows it overlapped. */
    static Row run(String name, int keys, int perWindow, Contender contender) throws Exception {
        try (RedisLab lab = RebalanceBench.loadedLab(keys)) {
            RebalanceBench.sleep(1500);
            WindowedLoad load = new WindowedLoad(lab.masters().get(0), perWindow, keys);
            Thread t = new Thread(load, "redis-benchmark windows");
            t.start();
            double seconds;
            try {
                seconds = contender.rebalance(lab);
            } finally {
                load.stop = true;
                t.join();
            }
            System.out.printf(Locale.ROOT, "%s: %s s, %d windows, load average %s%n", name,
                    Double.isNaN(seconds) ? "-" : String.format(Locale.ROOT, "%.2f", seconds), load.windows.size(), loadAverage());
            if (load.failure != null) {
                throw new IllegalStateException("redis-benchmark failed: " + load.failure);
            }
            return new Row(name, seconds, List.copyOf(load.windows));
        }
    }

    /** redis-benchmark in back-to-back runs of {@code perWindow} requests until stopped (the last run completes). */
    static final class WindowedLoad implements Runnable {
        final HostPort seed;
        final int perWindow;
        final int keyspace;
        final List<Window> windows = Collections.synchronizedList(new ArrayList<>());
        volatile boolean stop;
        volatile String failure;

        WindowedLoad(HostPort seed, int perWindow, int keyspace) {
            this.seed = seed;
            this.perWindow = perWindow;
            this.keyspace = keyspace;
        }

        @Override
        public void run() {
            while (!stop) {
                try {
                    windows.add(window());
                } catch (IOException | RuntimeException e) {
                    failure = e.toString();
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        Window window() throws IOException, InterruptedException {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder("redis-benchmark", "-h", seed.host(), "-p", Integer.toString(seed.port()),
                    "--cluster", "-t", "get", "-c", "4", "-d", "100", "-r", Integer.toString(keyspace),
                    "-n", Integer.toString(perWindow), "--csv").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            // Requests per second of wall time, start-up included: redis-benchmark's own rps figure comes in steps
            // of its 250 ms timer on short runs (39,370 or 19,920 for 10,000 requests).
            double rps = perWindow / ((System.nanoTime() - t0) / 1e9);
            List<String> header = null;
            int warnings = 0;
            for (String line : out.split("\\R")) {
                if (line.startsWith("\"test\"")) {
                    header = cells(line);
                } else if (line.startsWith("\"GET\"") && header != null) {
                    List<String> v = cells(line);
                    return new Window(rps,
                            Double.parseDouble(v.get(header.indexOf("p50_latency_ms"))),
                            Double.parseDouble(v.get(header.indexOf("p99_latency_ms"))), warnings, false);
                } else if (!line.isBlank()) {
                    warnings++; // "Cluster slots configuration changed, fetching new one..." and the like
                }
            }
            return new Window(0, 0, 0, warnings, true);
        }

        static List<String> cells(String line) {
            return Arrays.stream(line.split(",")).map(c -> c.replace("\"", "")).toList();
        }
    }

    static String loadAverage() {
        try {
            String[] f = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
