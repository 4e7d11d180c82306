package io.cahoots.agent.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.observe.ClusterObserver;
import io.cahoots.agent.planner.Move;
import io.cahoots.agent.planner.Plan;
import io.cahoots.agent.redis.ClusterReader;
import io.cahoots.agent.adapter.jedis.JedisClusterCommands;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.containers.ContainerLauncher;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The source master of a move is frozen with {@code docker pause} (the cgroup freezer: the process neither runs nor
 * dies, its sockets stay open, the commands sent to it wait in its buffers) in the middle of a migration, long enough
 * for its replica to be promoted, then thawed: it comes back believing it is still the master, with MIGRATE commands
 * it never answered waiting to run. The job must end (not hang) with a clear error, the fix must close every slot,
 * and every key must be there once, with its own value.
 */
class FrozenMasterContainerIT {

    private static final int KEYS = 30_000;

    @Test
    void aMasterFrozenMidMigrationIsFailedOverThawedAndTheFixLosesNoKey() throws Exception {
        try (RedisLab lab = RedisLab.start(LabSpec.builder().launcher(new ContainerLauncher())
                .masters(3).replicasPerMaster(1).spareNodes(1).clusterNodeTimeoutMillis(2000).build());
             RedisConnections connections = new RedisConnections(Credentials.NONE, Credentials.NONE, false, Duration.ofSeconds(2));
             JedisClusterCommands commands = new JedisClusterCommands(connections)) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                run(lab, commands, connections, pool);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private void run(RedisLab lab, JedisClusterCommands commands, RedisConnections connections, ExecutorService pool)
            throws Exception {
        ClusterObserver observer = new ClusterObserver(lab.masters(), new ClusterReader(connections)::read,
                Duration.ofSeconds(1), Clock.systemUTC(), pool);
        HostPort seed = lab.masters().get(0);
        try (Jedis j = lab.connect(lab.spareNodes().get(0))) {
            j.sendCommand(Protocol.Command.CLUSTER, "MEET", seed.host(), Integer.toString(seed.port()),
                    Integer.toString(lab.node(seed).clusterBusPort()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            ClusterSnapshot s = observer.poll();
            return s.masters().size() == 4 && s.check().ok() && "ok".equals(s.state());
        });
        ClusterSnapshot before = observer.poll();
        fill(before);

        ClusterNode source = before.masters().stream().filter(m -> m.slotCount() > 0).findFirst().orElseThrow();
        ClusterNode target = before.masters().stream().filter(m -> m.slotCount() == 0).findFirst().orElseThrow();
        HostPort sourceAddress = source.address().orElseThrow();
        Plan plan = new Plan(before.version(), true, "test", List.of(new Move(source.id(), target.id(), source.slots(), -1)),
                Map.of(), Map.of(), Map.of());
        Job job = new Job("frozen", "rebalance", "test", Clock.systemUTC());
        job.plan(source.slotCount(), -1);
        // Small batches: the move lasts long enough to be frozen in the middle.
        MigrationEngine engine = new MigrationEngine(commands, new MigrationTuning(5, 1, 8, 2_000, 4, Duration.ofSeconds(5)));
        Future<?> running = pool.submit(() -> engine.execute(before, plan, false, job));
        await().atMost(Duration.ofSeconds(30)).until(() -> job.progress().slotsDone() >= 200);

        lab.node(sourceAddress).pause();
        long frozenAt = System.nanoTime();
        // The cluster fails it over while it is frozen: its replica owns its slots.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            ClusterSnapshot s = observer.poll();
            return s.masters().stream().filter(m -> m.health() == Health.OK).count() == 4
                    && s.masters().stream().noneMatch(m -> m.id().equals(source.id()) && m.health() == Health.OK);
        });
        Duration frozenFor = Duration.ofNanos(System.nanoTime() - frozenAt);
        lab.node(sourceAddress).resume();

        // The job ends, and says why; it never hangs on the frozen node.
        Throwable outcome = null;
        try {
            running.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            outcome = e.getCause();
        }
        System.out.printf("FIGURE frozen master: failed over after %d ms frozen; job after thaw: %s; %d of %d slots moved%n",
                frozenFor.toMillis(), outcome == null ? "completed" : outcome, job.progress().slotsDone(), source.slotCount());
        assertThat(outcome).as("the job cannot finish a move whose source lost its slots while frozen")
                .isInstanceOf(MigrationException.class);
        assertThat(outcome.getMessage()).contains(source.addressText());
        assertThat(job.progress().slotsDone()).isLessThan(source.slotCount());

        // The thawed node rejoins as a replica of the node that took its slots.
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            try (Jedis j = lab.connect(sourceAddress)) {
                return j.info("replication").contains("role:slave");
            }
        });

        // The fix, as the recovery service runs it: idempotent, retried while the cluster settles.
        ClusterFixer fixer = new ClusterFixer(commands, MigrationTuning.defaults(100, 1));
        for (int attempt = 1; ; attempt++) {
            try {
                fixer.fix(observer.poll(), false, new Job("fix", "fix", "test", Clock.systemUTC()));
                break;
            } catch (MigrationException e) {
                if (attempt == 15) {
                    throw e;
                }
                Thread.sleep(2000); // the pause between two of the bounded attempts
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            ClusterSnapshot s = observer.poll();
            return s.check().openSlots().isEmpty() && s.check().uncoveredSlots().isEmpty() && "ok".equals(s.state());
        });

        // Every key, with its own value, exactly once across the masters.
        ClusterSnapshot fixed = observer.poll();
        try (JedisCluster client = new JedisCluster(fixed.masters().stream().map(m -> m.address().orElseThrow())
                .map(h -> new HostAndPort(h.host(), h.port())).collect(Collectors.toSet()),
                DefaultJedisClientConfig.builder().build(), 5, new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>())) {
            int wrong = 0;
            for (int i = 0; i < KEYS; i++) {
                if (!("v:" + i).equals(client.get("key:" + i))) {
                    wrong++;
                }
            }
            assertThat(wrong).as("keys lost or with another value").isZero();
        }
        long total = 0;
        for (ClusterNode m : fixed.masters()) {
            try (Jedis j = lab.connect(m.address().orElseThrow())) {
                total += j.dbSize();
            }
        }
        assertThat(total).as("keys across the masters (none twice)").isEqualTo(KEYS);
    }

    /** key:i = v:i, pipelined to each slot's owner. */
    private static void fill(ClusterSnapshot s) {
        Map<HostPort, List<String>> byOwner = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            String key = "key:" + i;
            int slot = JedisClusterCRC16.getSlot(key);
            HostPort owner = s.masters().stream().filter(m -> m.slots().stream().anyMatch(r -> r.contains(slot)))
                    .findFirst().orElseThrow().address().orElseThrow();
            byOwner.computeIfAbsent(owner, k -> new java.util.ArrayList<>()).add(key);
        }
        byOwner.forEach((owner, keys) -> {
            try (Jedis j = new Jedis(owner.host(), owner.port())) {
                Pipeline p = j.pipelined();
                for (String key : keys) {
                    p.set(key, "v:" + key.substring(4));
                }
                p.sync();
            }
        });
    }
}
