package io.cahoots.agent.bench;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.executor.Job;
import io.cahoots.agent.executor.MigrationEngine;
import io.cahoots.agent.executor.MigrationTuning;
import io.cahoots.agent.observe.ClusterObserver;
import io.cahoots.agent.planner.Plan;
import io.cahoots.agent.planner.RebalanceOptions;
import io.cahoots.agent.planner.RebalancePlanner;
import io.cahoots.agent.redis.ClusterReader;
import io.cahoots.agent.adapter.jedis.JedisClusterCommands;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The agent's rebalance against {@code redis-cli --cluster rebalance --cluster-use-empty-masters}, each on a
 * fresh lab of 3 masters loaded with the same keys (default 1,000,000 of 100 bytes) plus one empty master.
 * Prints seconds, keys/s and the ratios. Usage: {@code bench/rebalance.sh [keys] [sweep]}.
 */
public final class RebalanceBench {

    record Result(String name, double seconds, long keysMoved) {
        double keysPerSecond() {
            return keysMoved / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        boolean sweep = args.length > 1 && args[1].equals("sweep");
        List<Result> results = new ArrayList<>();
        results.add(redisCli(keys, null));
        results.add(redisCli(keys, 100));
        if (sweep) {
            for (int batch : new int[]{100, 500, 1000, 5000}) {
                for (int chunk : new int[]{32, 128, 512}) {
                    results.add(agent(keys, new MigrationTuning(batch, 4, chunk, 10_000, 5, Duration.ofSeconds(60))));
                }
            }
        }
        results.add(agent(keys, MigrationTuning.defaults(1000, 4)));
        // Issue 16: the cost of sizing rounds by bytes (MEMORY USAGE per key), and of a latency budget, without clients.
        results.add(agent(keys, MigrationTuning.defaults(1000, 4).withLimits(Duration.ZERO, 8L << 20)));
        results.add(agent(keys, MigrationTuning.defaults(1000, 4).withLimits(Duration.ofMillis(2), 8L << 20)));
        Result cliDefault = results.get(0);
        Result cliBest = results.get(1).seconds < cliDefault.seconds ? results.get(1) : cliDefault;
        System.out.println();
        System.out.printf("%-48s %9s %12s %14s %14s%n", "contender", "seconds", "keys/s", "vs cli default", "vs cli best");
        for (Result r : results) {
            System.out.printf("%-48s %9.2f %12.0f %13.2fx %13.2fx%n", r.name, r.seconds, r.keysPerSecond(),
                    cliDefault.seconds / r.seconds, cliBest.seconds / r.seconds);
        }
    }

    /** A fresh lab: 3 masters with the keys, and a fourth, empty master that has joined the cluster. */
    static RedisLab loadedLab(int keys) {
        return loadedLab(keys, LabSpec.builder().masters(3).replicasPerMaster(0).spareNodes(1).build());
    }

    static RedisLab loadedLab(int keys, LabSpec spec) {
        RedisLab lab = RedisLab.start(spec);
        Load.fill(lab, keys, 100);
        return joinSpare(lab);
    }

    /** {@code lab}'s spare node joins its cluster as a master without slots; waits until every master sees it. */
    static RedisLab joinSpare(RedisLab lab) {
        HostPort seed = lab.masters().get(0);
        HostPort spare = lab.spareNodes().get(0);
        // A plain CLUSTER MEET assumes the bus at port + 10000; the lab gives explicit bus ports, so name it.
        try (Jedis j = lab.connect(spare)) {
            j.sendCommand(redis.clients.jedis.Protocol.Command.CLUSTER, "MEET", seed.host(), Integer.toString(seed.port()),
                    Integer.toString(lab.node(seed).clusterBusPort()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            boolean all = lab.masters().stream().allMatch(m -> {
                try (Jedis j = lab.connect(m)) {
                    return j.clusterNodes().lines().count() == 4 && !j.clusterNodes().contains("handshake");
                }
            });
            if (all) {
                return lab;
            }
            sleep(100);
        }
        throw new IllegalStateException("the empty master did not join");
    }

    static Result redisCli(int keys, Integer pipeline) throws IOException, InterruptedException {
        try (RedisLab lab = loadedLab(keys)) {
            sleep(1500);
            return redisCli(lab, keys, pipeline);
        }
    }

    /** redis-cli's rebalance onto the empty master of {@code lab}, timed, then verified. */
    static Result redisCli(RedisLab lab, int keys, Integer pipeline) throws IOException, InterruptedException {
        HostPort seed = lab.masters().get(0);
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "rebalance", seed.toString(),
                "--cluster-use-empty-masters"));
        if (pipeline != null) {
            cmd.addAll(List.of("--cluster-pipeline", pipeline.toString()));
        }
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long moved = keysOn(lab, lab.spareNodes().get(0));
        verify(lab, keys);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("redis-cli failed: " + out);
        }
        return new Result("redis-cli rebalance, pipeline " + (pipeline == null ? "10 (default)" : pipeline), seconds, moved);
    }

    static Result agent(int keys, MigrationTuning tuning) {
        try (RedisLab lab = loadedLab(keys)) {
            sleep(1500);
            return agent(lab, keys, tuning);
        }
    }

    /** The agent's engine (in this JVM) rebalancing {@code lab} onto its empty master, timed, then verified. */
    static Result agent(RedisLab lab, int keys, MigrationTuning tuning) {
        try (RedisConnections conns = new RedisConnections(Credentials.NONE, Credentials.NONE, false, Duration.ofSeconds(15));
             JedisClusterCommands commands = new JedisClusterCommands(conns)) {
            long t0 = System.nanoTime();
            Planned p = plan(lab, conns, commands);
            Job job = new Job("bench", "rebalance", "bench", Clock.systemUTC());
            new MigrationEngine(commands, tuning).execute(p.snapshot(), p.plan(), false, job);
            double seconds = (System.nanoTime() - t0) / 1e9;
            verify(lab, keys);
            return new Result(String.format("agent (batch %d keys, %d slots/chunk%s)", tuning.batchKeys(), tuning.slotsPerChunk(),
                    tuning.batchBytes() == 0 && tuning.maxLatency().isZero() ? "" : ", " + (tuning.batchBytes() >> 20)
                            + " MB rounds, budget " + (tuning.maxLatency().isZero() ? "off" : tuning.maxLatency().toMillis() + " ms")),
                    seconds, job.progress().keysMoved());
        }
    }

    /** The snapshot the agent plans from and its plan. */
    record Planned(ClusterSnapshot snapshot, Plan plan) {
    }

    /** What the agent's rebalance of {@code lab} would do now: a snapshot, per-slot key counts, the default slot balance. */
    static Planned plan(RedisLab lab) {
        try (RedisConnections conns = new RedisConnections(Credentials.NONE, Credentials.NONE, false, Duration.ofSeconds(15));
             JedisClusterCommands commands = new JedisClusterCommands(conns)) {
            return plan(lab, conns, commands);
        }
    }

    private static Planned plan(RedisLab lab, RedisConnections conns, JedisClusterCommands commands) {
        ExecutorService readers = Executors.newFixedThreadPool(8);
        try {
            ClusterObserver observer = new ClusterObserver(lab.masters(), new ClusterReader(conns)::read,
                    Duration.ofSeconds(2), Clock.systemUTC(), readers);
            ClusterSnapshot s = observer.poll();
            long[] perSlot = new long[16384];
            s.masters().parallelStream().filter(m -> m.slotCount() > 0).forEach(m -> {
                List<Integer> slots = new ArrayList<>();
                m.slots().forEach(r -> {
                    for (int i = r.start(); i <= r.end(); i++) {
                        slots.add(i);
                    }
                });
                commands.countKeysInSlots(m.address().orElseThrow(), slots).forEach((slot, n) -> perSlot[slot] = n);
            });
            return new Planned(s, RebalancePlanner.plan(s, RebalanceOptions.defaults(), Optional.of(perSlot)));
        } finally {
            readers.shutdownNow();
        }
    }

    static long keysOn(RedisLab lab, HostPort node) {
        try (Jedis j = lab.connect(node)) {
            return j.dbSize();
        }
    }

    /** Every key is still there and redis-cli's own check is clean. */
    static void verify(RedisLab lab, int keys) {
        long total = 0;
        for (HostPort n : lab.masters()) {
            total += keysOn(lab, n);
        }
        total += keysOn(lab, lab.spareNodes().get(0));
        if (total != keys) {
            throw new IllegalStateException("expected " + keys + " keys after the rebalance, found " + total);
        }
        long spare = keysOn(lab, lab.spareNodes().get(0));
        if (spare < keys / 5) {
            throw new IllegalStateException("the empty master got only " + spare + " keys");
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
