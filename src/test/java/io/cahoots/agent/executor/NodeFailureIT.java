package io.cahoots.agent.executor;

import io.cahoots.agent.bench.Load;
import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
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
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Protocol;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The source master of a move dies mid-migration and its replica takes over: the job fails with a precise
 * error, the fix then leaves no slot open, and no key is lost.
 */
class NodeFailureIT {

    private static final int KEYS = 60_000;

    @Test
    void theSourceMasterDiesMidMoveAndTheFixRecoversEveryKey() throws Exception {
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(1).spareNodes(1)
                .clusterNodeTimeoutMillis(2000).build());
             RedisConnections connections = new RedisConnections(Credentials.NONE, Credentials.NONE, false, Duration.ofSeconds(2));
             JedisClusterCommands commands = new JedisClusterCommands(connections)) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
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
            Load.fill(lab, KEYS, 50);

            ClusterSnapshot before = observer.poll();
            ClusterNode source = before.masters().stream().filter(m -> m.slotCount() > 0).findFirst().orElseThrow();
            ClusterNode target = before.masters().stream().filter(m -> m.slotCount() == 0).findFirst().orElseThrow();
            Plan plan = new Plan(before.version(), true, "test", List.of(new Move(source.id(), target.id(), source.slots(), -1)),
                    Map.of(), Map.of(), Map.of());
            Job job = new Job("failure", "rebalance", "test", Clock.systemUTC());
            job.plan(source.slotCount(), -1);
            // Small batches and chunks: the move lasts long enough to be cut in the middle.
            MigrationEngine engine = new MigrationEngine(commands, new MigrationTuning(5, 1, 8, 2_000, 4, Duration.ofSeconds(5)));
            Future<?> running = pool.submit(() -> engine.execute(before, plan, false, job));
            await().atMost(Duration.ofSeconds(30)).until(() -> job.progress().slotsDone() >= 200);
            lab.node(source.address().orElseThrow()).kill();

            assertThatThrownBy(running::get).hasCauseInstanceOf(MigrationException.class)
                    .satisfies(e -> assertThat(e.getCause().getMessage()).contains("slots").contains(source.addressText())
                            .contains(target.addressText()));
            assertThat(job.progress().slotsDone()).isLessThan(source.slotCount());

            // The replica takes over the dead master's slots; then the fix closes what the move left open.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                ClusterSnapshot s = observer.poll();
                // The replica took over; a slot the move left without owner is the fix's to repair.
                return s.masters().stream().filter(m -> m.health() == io.cahoots.agent.cluster.Health.OK).count() == 4;
            });
            ClusterSnapshot broken = observer.poll();
            ClusterFixer fixer = new ClusterFixer(commands, MigrationTuning.defaults(100, 1));
            assertThat(ClusterFixer.refusals(broken, false)).as("the dead master is flagged fail; the fix needs allowUnreachable")
                    .isNotEmpty();
            assertThat(ClusterFixer.refusals(broken, true)).isEmpty();
            // Right after a failover the cluster may still answer CLUSTERDOWN for a while; like the recovery service,
            // try the (idempotent) repair again on a fresh snapshot, a bounded number of times.
            for (int attempt = 1; ; attempt++) {
                try {
                    fixer.fix(attempt == 1 ? broken : observer.poll(), false, new Job("fix", "fix", "test", Clock.systemUTC()));
                    break;
                } catch (MigrationException e) {
                    if (attempt == 15) {
                        dumpClusterViews(lab, source.address().orElseThrow());
                        throw e;
                    }
                    Thread.sleep(2000); // the pause between two of the bounded attempts
                }
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> observer.poll().check().openSlots().isEmpty());
            ClusterSnapshot fixed = observer.poll();
            assertThat(fixed.check().uncoveredSlots()).isEmpty();

            try (JedisCluster client = new JedisCluster(lab.masters().stream().filter(h -> !h.equals(source.address().get()))
                    .map(h -> new HostAndPort(h.host(), h.port())).collect(Collectors.toSet()),
                    DefaultJedisClientConfig.builder().build(), 5, new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>())) {
                int missing = 0;
                for (int i = 0; i < KEYS; i++) {
                    if (client.get("key:" + i) == null) {
                        missing++;
                    }
                }
                assertThat(missing).as("keys lost").isZero();
            }
            pool.shutdownNow();
        }
    }

    /** On a failure, every live node's own view: which node believes the cluster is down, and why. */
    private static void dumpClusterViews(RedisLab lab, HostPort dead) {
        List<HostPort> all = new java.util.ArrayList<>(lab.clusterNodes());
        all.addAll(lab.spareNodes());
        for (HostPort node : all) {
            if (node.equals(dead)) {
                continue;
            }
            try (Jedis j = lab.connect(node)) {
                System.out.println("DIAG " + node + " info:\n" + j.clusterInfo() + "\nDIAG " + node + " nodes:\n" + j.clusterNodes());
            } catch (RuntimeException e) {
                System.out.println("DIAG " + node + ": " + e);
            }
        }
    }
}
