package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.ClusterNodesParser;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.config.ImportSettings;
import io.cahoots.agent.executor.Job;
import io.cahoots.agent.adapter.jedis.JedisImportCommands;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * The agent's import against {@code redis-cli --cluster import --cluster-copy --cluster-replace} (issue 15): one lab,
 * a standalone primary holding {@code keys} keys of 100 bytes (default 1,000,000) and an empty 3-master cluster. Each
 * tool copies the same source into the emptied cluster; both results are verified (key count on the cluster equals
 * the source's, 2,000 random keys read back equal on both sides). The agent runs its real {@link ImportRun} (follow,
 * full copy, automatic cutover with a 0 s grace, verification); its copy time is the time until its full copy is done,
 * the figure comparable to redis-cli's, which only copies. Not a test: {@code bench/import.sh [keys]}.
 */
public final class ImportBench {

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(0).sentinelGroup(true)
                .sentinelReplicas(0).sentinels(1).build())) {
            HostPort source = lab.sentinelPrimary();
            long t0 = System.nanoTime();
            fill(lab, source, keys);
            System.out.printf("filled %d keys of 100 bytes on %s in %.1f s%n", keys, source, secs(t0));

            long c0 = System.nanoTime();
            Process p = new ProcessBuilder("redis-cli", "--cluster", "import", lab.masters().get(0).toString(),
                    "--cluster-from", source.toString(), "--cluster-copy", "--cluster-replace")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            int exit = p.waitFor();
            double cli = secs(c0);
            if (exit != 0) {
                throw new IllegalStateException("redis-cli --cluster import exited " + exit);
            }
            verify(lab, source, keys, "redis-cli");
            flushCluster(lab);

            double[] agent = agent(lab, source);
            verify(lab, source, keys, "agent");
            System.out.println();
            System.out.printf("FIGURE import of %d keys x 100 B into 3 masters:%n", keys);
            System.out.printf("  redis-cli --cluster import --cluster-copy --cluster-replace: %7.1f s %9.0f keys/s%n",
                    cli, keys / cli);
            System.out.printf("  agent import, full copy:                                   %7.1f s %9.0f keys/s%n",
                    agent[0], keys / agent[0]);
            System.out.printf("  agent import, copy + cutover + key-by-key verification:    %7.1f s%n", agent[1]);
            System.out.printf("  ratio (agent full copy vs redis-cli): %.1fx%n", cli / agent[0]);
        }
    }

    /** @return seconds to the end of the full copy, and to the end of the job */
    static double[] agent(RedisLab lab, HostPort source) throws Exception {
        try (RedisConnections conns = new RedisConnections(Credentials.NONE, Credentials.NONE, false, Duration.ofSeconds(30))) {
            ImportCommands redis = new JedisImportCommands(conns);
            SlotOwners owners = owners(lab);
            SourceGroup group = new SourceGroup() {
                public String name() {
                    return source.toString();
                }

                public HostPort primary() {
                    return source;
                }

                public List<HostPort> nodes() {
                    return List.of(source);
                }
            };
            ImportRun run = new ImportRun(redis, group, () -> owners, () -> { }, new ImportSettings(Duration.ZERO, Integer.getInteger("batch", 1000),
                    Duration.ofSeconds(1), 100), (n, r) -> 1L, true, Clock.systemUTC());
            Job job = new Job("bench", "import", "bench", Clock.systemUTC());
            long t0 = System.nanoTime();
            Thread t = new Thread(() -> run.run(job), "bench-import");
            t.start();
            double copied = -1;
            while (t.isAlive()) {
                ImportStatus.Phase phase = run.status.phase;
                if (copied < 0 && phase.ordinal() > ImportStatus.Phase.FOLLOWING.ordinal()) {
                    copied = secs(t0);
                }
                Thread.sleep(5);
            }
            double total = secs(t0);
            if (run.status.phase != ImportStatus.Phase.DONE || run.status.verification.differences() != 0) {
                throw new IllegalStateException("agent import ended " + run.status.phase + ", verification "
                        + run.status.verification);
            }
            System.out.printf("agent verification: %s%n", run.status.verification);
            return new double[]{copied, total};
        }
    }

    static SlotOwners owners(RedisLab lab) {
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
        return new SlotOwners(owner);
    }

    static void fill(RedisLab lab, HostPort source, int keys) {
        byte[] value = "v".repeat(100).getBytes(StandardCharsets.US_ASCII);
        try (Jedis j = lab.connect(source)) {
            Pipeline p = j.pipelined();
            for (int i = 0; i < keys; i++) {
                p.set(("key:" + i).getBytes(StandardCharsets.US_ASCII), value);
                if (i % 10_000 == 9_999) {
                    p.sync();
                }
            }
            p.sync();
        }
    }

    static void flushCluster(RedisLab lab) {
        for (HostPort m : lab.masters()) {
            try (Jedis j = lab.connect(m)) {
                j.flushAll();
            }
        }
    }

    /** Key counts equal, and 2,000 random keys read back equal on the source and on their owner. */
    static void verify(RedisLab lab, HostPort source, int keys, String who) {
        long total = 0;
        for (HostPort m : lab.masters()) {
            try (Jedis j = lab.connect(m)) {
                total += j.dbSize();
            }
        }
        if (total != keys) {
            throw new IllegalStateException(who + ": the cluster holds " + total + " keys, the source " + keys);
        }
        SlotOwners owners = owners(lab);
        Random r = new Random(7);
        try (Jedis s = lab.connect(source)) {
            for (int n = 0; n < 2000; n++) {
                String k = "key:" + r.nextInt(keys);
                try (Jedis t = lab.connect(owners.ownerOf(k.getBytes(StandardCharsets.US_ASCII)))) {
                    if (!s.get(k).equals(t.get(k)) || JedisClusterCRC16.getSlot(k) < 0) {
                        throw new IllegalStateException(who + ": " + k + " differs");
                    }
                }
            }
        }
        System.out.printf("%s: verified (%d keys on the cluster, 2,000 sampled values equal)%n", who, total);
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
