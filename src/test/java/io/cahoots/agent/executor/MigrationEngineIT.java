package io.cahoots.agent.executor;

import io.cahoots.agent.bench.Load;
import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.observe.ClusterObserver;
import io.cahoots.agent.planner.Move;
import io.cahoots.agent.planner.Plan;
import io.cahoots.agent.planner.RebalanceOptions;
import io.cahoots.agent.planner.RebalancePlanner;
import io.cahoots.agent.redis.ClusterReader;
import io.cahoots.agent.adapter.jedis.JedisClusterCommands;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The migration engine on a dedicated lab (3 masters x 1 replica and a fourth master that joins empty),
 * under a cluster-aware client's load, checked key by key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationEngineIT {

    private RedisLab lab;
    private RedisConnections connections;
    private JedisClusterCommands commands;
    private ExecutorService readers;
    private ClusterObserver observer;

    @BeforeAll
    void start() {
        // A node timeout of 3 s: 1 s (the lab default) flaps under this test's load on a 2-core machine.
        lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(1).spareNodes(1).clusterNodeTimeoutMillis(3000).build());
        connections = new RedisConnections(Credentials.NONE, Credentials.NONE, false, Duration.ofSeconds(10));
        commands = new JedisClusterCommands(connections);
        readers = Executors.newFixedThreadPool(8);
        observer = new ClusterObserver(lab.masters(), new ClusterReader(connections)::read, Duration.ofSeconds(1),
                Clock.systemUTC(), readers);
        HostPort seed = lab.masters().get(0);
        try (Jedis j = lab.connect(lab.spareNodes().get(0))) {
            j.sendCommand(Protocol.Command.CLUSTER, "MEET", seed.host(), Integer.toString(seed.port()),
                    Integer.toString(lab.node(seed).clusterBusPort()));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            ClusterSnapshot s = observer.poll();
            return s.masters().size() == 4 && s.check().ok() && s.state().equals("ok");
        });
    }

    @AfterAll
    void stop() {
        readers.shutdownNow();
        commands.close();
        lab.close();
    }

    private MigrationEngine engine() {
        return new MigrationEngine(commands, new MigrationTuning(200, 4, 64, 5_000, 5, Duration.ofSeconds(30)));
    }

    private Job job() {
        return new Job("test", "rebalance", "test", Clock.systemUTC());
    }

    private long totalKeys() {
        long total = 0;
        for (ClusterNode m : observer.poll().masters()) {
            try (Jedis j = lab.connect(m.address().orElseThrow())) {
                total += j.dbSize();
            }
        }
        return total;
    }

    @Test
    @Order(1)
    void noAcknowledgedWriteIsLostWhileSlotsMoveUnderLoad() throws Exception {
        Load.fill(lab, 50_000, 100);
        Set<HostAndPort> seeds = lab.masters().stream().map(h -> new HostAndPort(h.host(), h.port())).collect(Collectors.toSet());
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        List<Throwable> clientErrors = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong ops = new AtomicLong();
        ExecutorService load = Executors.newFixedThreadPool(4);
        try (JedisCluster client = new JedisCluster(seeds, DefaultJedisClientConfig.builder().socketTimeoutMillis(5000).build(),
                20, new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>())) {
            for (int t = 0; t < 4; t++) {
                int thread = t;
                load.submit(() -> {
                    int i = 0;
                    while (running.get()) {
                        try {
                            String key = "live:" + thread + ":" + (i % 5000);
                            String value = "v" + i;
                            client.set(key, value);
                            acknowledged.put(key, value);
                            String old = client.get("key:" + ((i * 7919) % 50_000));
                            if (old == null) {
                                throw new AssertionError("a preloaded key read back null during the migration");
                            }
                            i++;
                            ops.incrementAndGet();
                        } catch (Throwable e) {
                            clientErrors.add(e);
                            return;
                        }
                    }
                });
            }
            Thread.sleep(300); // deliberate: the writers get going before the migration starts
            ClusterSnapshot before = observer.poll();
            Plan plan = RebalancePlanner.plan(before, RebalanceOptions.defaults(), Optional.empty());
            assertThat(plan.needed()).isTrue();
            Job job = job();
            job.plan(plan.slotsToMove(), -1);
            engine().execute(before, plan, false, job);
            Thread.sleep(300); // deliberate: and go on a moment after it ends
            running.set(false);
            load.shutdown();
            assertThat(load.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            assertThat(clientErrors).as("errors the client surfaced").isEmpty();
            assertThat(ops.get()).isGreaterThan(100);
            assertThat(job.progress().slotsDone()).isEqualTo(plan.slotsToMove());
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                assertThat(client.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            }
            for (int i = 0; i < 50_000; i += 97) {
                assertThat(client.get("key:" + i)).isNotNull();
            }
            assertThat(totalKeys()).isEqualTo(50_000 + acknowledged.size());
        } finally {
            load.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> observer.poll().check().ok());
        ClusterSnapshot after = observer.poll();
        assertThat(after.masters()).allMatch(m -> Math.abs(m.slotCount() - 4096) <= 1);
    }

    /** One slot of {@code from}, with the key {@code key} in it. */
    private Move oneSlotMove(ClusterSnapshot s, ClusterNode from, ClusterNode to, int slot) {
        return new Move(from.id(), to.id(), List.of(SlotRange.of(slot)), -1);
    }

    private Plan planOf(ClusterSnapshot s, Move m) {
        return new Plan(s.version(), true, "test", List.of(m), Map.of(), Map.of(), Map.of());
    }

    /** Puts {@code key} on the target too, as a half-done earlier migration would have. */
    private void plantOnTarget(ClusterNode from, ClusterNode to, String key, String value) {
        int slot = JedisClusterCRC16.getSlot(key);
        try (Jedis t = lab.connect(to.address().orElseThrow())) {
            t.sendCommand(Protocol.Command.CLUSTER, "SETSLOT", Integer.toString(slot), "IMPORTING", from.id());
            t.sendCommand(Protocol.Command.ASKING);
            t.set(key, value);
        }
    }

    private ClusterNode ownerOf(ClusterSnapshot s, int slot) {
        return s.masters().stream().filter(m -> m.slots().stream().anyMatch(r -> r.contains(slot))).findFirst().orElseThrow();
    }

    @Test
    @Order(2)
    void busyKeysWithIdenticalValuesAreReplacedAndDifferentOnesFailUnlessReplaceIsAsked() {
        ClusterSnapshot s = observer.poll();
        String same = "busy:{same}";
        String differ = "busy:{differ}";
        for (String key : List.of(same, differ)) {
            ClusterSnapshot current = s;
            ClusterNode from = ownerOf(current, JedisClusterCRC16.getSlot(key));
            ClusterNode to = s.masters().stream().filter(m -> !m.id().equals(from.id())).findFirst().orElseThrow();
            try (Jedis j = lab.connect(from.address().orElseThrow())) {
                j.set(key, "source-value");
            }
            plantOnTarget(from, to, key, key.equals(same) ? "source-value" : "target-value");
            Plan plan = planOf(current, oneSlotMove(current, from, to, JedisClusterCRC16.getSlot(key)));
            if (key.equals(same)) {
                engine().execute(current, plan, false, job());
            } else {
                assertThatThrownBy(() -> engine().execute(current, plan, false, job()))
                        .isInstanceOf(MigrationException.class)
                        .hasMessageContaining("BUSYKEY").hasMessageContaining(differ)
                        .hasMessageContaining(from.addressText()).hasMessageContaining(to.addressText())
                        .hasMessageContaining("\"replace\": true");
                // The source copy is intact and the slot is left open for the fix action.
                try (Jedis j = lab.connect(from.address().orElseThrow())) {
                    assertThat(j.get(differ)).isEqualTo("source-value");
                }
                assertThat(observer.poll().check().openSlots()).isNotEmpty();
                engine().execute(current, plan, true, job());
            }
            try (Jedis t = lab.connect(to.address().orElseThrow())) {
                assertThat(t.get(key)).isEqualTo("source-value");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.poll().check().ok());
            s = observer.poll();
            assertThat(ownerOf(s, JedisClusterCRC16.getSlot(key)).id()).isEqualTo(to.id());
        }
    }

    @Test
    @Order(3)
    void aCancelledJobStopsAfterTheChunkInFlightAndLeavesEverySlotClosed() throws Exception {
        ClusterSnapshot s = observer.poll();
        ClusterNode spare = s.masters().stream().filter(m -> m.address().orElseThrow().equals(lab.spareNodes().get(0)))
                .findFirst().orElseThrow();
        Plan drain = RebalancePlanner.plan(s, RebalanceOptions.drain(List.of(spare.id())), Optional.empty());
        Job job = job();
        job.plan(drain.slotsToMove(), -1);
        MigrationEngine slow = new MigrationEngine(commands, new MigrationTuning(50, 1, 16, 5_000, 5, Duration.ofSeconds(30)));
        ExecutorService one = Executors.newSingleThreadExecutor();
        var result = one.submit(() -> {
            slow.execute(s, drain, false, job);
            return null;
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> job.progress().slotsDone() > 0);
        job.requestCancel();
        assertThatThrownBy(result::get).hasCauseInstanceOf(JobCancelledException.class)
                .hasMessageContaining("every slot is closed and owned");
        one.shutdown();
        assertThat(job.progress().slotsDone()).isLessThan(drain.slotsToMove());
        assertThat(observer.poll().check().openSlots()).isEmpty();
        // Replicas learn the last SETSLOTs by gossip, within a few hundred milliseconds.
        await().atMost(Duration.ofSeconds(10)).until(() -> observer.poll().check().ok());
    }
}
