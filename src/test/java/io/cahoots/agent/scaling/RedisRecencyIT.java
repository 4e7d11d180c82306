package io.cahoots.agent.scaling;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.observe.ClusterObserver;
import io.cahoots.agent.observe.NodeReader;
import io.cahoots.agent.redis.ClusterReader;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.scaling.ScalingLoopTest.FakeLeadership;
import io.cahoots.agent.scaling.ScalingLoopTest.FakeTarget;
import io.cahoots.agent.scaling.decision.Decision;
import io.cahoots.agent.scaling.decision.Sample;
import io.cahoots.agent.scaling.decision.Trigger;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14's first case on real processes: the API's p95 is breached with CPU calm while a Lua busy loop slows one
 * master, so the supervisor blames Redis and adds no pod; once the loop stops, the API scales within sustain + two
 * intervals, although the node's cumulative {@code latencystats} p99 still says 30 ms for ever.
 */
class RedisRecencyIT {

    static final String BUSY_30MS = "local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] "
            + "repeat local n = redis.call('TIME') until n[1] * 1000000 + n[2] - s > 30000 return 1";

    @Test
    void aSlowPeriodOnOneMasterBlocksApiScaleUpOnlyWhileItLasts() throws Exception {
        Duration interval = Duration.ofSeconds(1);
        Duration sustain = Duration.ofSeconds(3);
        ExecutorService readers = Executors.newFixedThreadPool(8);
        ScheduledExecutorService schedule = Executors.newScheduledThreadPool(2);
        AtomicBoolean busy = new AtomicBoolean(true);
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(0).build());
             RedisConnections connections = new RedisConnections(Credentials.NONE, Credentials.NONE, false, Duration.ofSeconds(2))) {
            ClusterObserver observer = new ClusterObserver(lab.clusterNodes(), NodeReader.of(new ClusterReader(connections)),
                    Duration.ofSeconds(2), Duration.ZERO, Clock.systemUTC(), readers);
            AtomicReference<Optional<ClusterSnapshot>> latest = new AtomicReference<>(Optional.empty());
            schedule.scheduleWithFixedDelay(() -> latest.set(Optional.of(observer.poll())), 0, interval.toMillis(), TimeUnit.MILLISECONDS);

            FakeTarget target = new FakeTarget();
            RedisEvidence evidence = new RedisEvidence(RedisEvidence.defaultWindow(interval), 10, 90);
            ReadingSource api = () -> Sample.of(Clock.systemUTC().instant(), Map.of(Trigger.CPU, 10.0, Trigger.MEMORY, 20.0,
                    Trigger.QUEUE, 0.0, Trigger.P95, 900.0));
            ScalingLoop loop = new ScalingLoop(ScalingLoopTest.settings(Map.of("agent.scaling.sustain", "3s",
                    "agent.scaling.observe", "1m", "agent.scaling.interval", "1s")), "shop", api, target, new FakeLeadership(),
                    () -> evidence.of(latest.get()), new ScalingMetrics(new SimpleMeterRegistry()), Clock.systemUTC());

            HostPort slow = lab.masters().get(0);
            Thread busyLoop = new Thread(() -> {
                try (Jedis j = lab.connect(slow)) {
                    while (busy.get()) {
                        j.eval(BUSY_30MS);
                    }
                }
            }, "lua-busy-loop");
            busyLoop.start();
            schedule.scheduleWithFixedDelay(loop::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);

            // 1. While Redis is slow: "bottleneck: Redis", and the API stays at 2 well past the sustain window.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(loop.status().decisions())
                    .as("status %s, evidence %s", loop.status(), evidence.of(latest.get()))
                    .anyMatch(r -> r.decision().kind() == Decision.Kind.REDIS_BOTTLENECK));
            Thread.sleep(sustain.multipliedBy(2).toMillis());
            assertThat(target.replicas).isEqualTo(2);
            assertThat(loop.status().decisions()).anyMatch(r -> r.decision().reason()
                    .contains(slow + " eval ") && r.decision().reason().startsWith("bottleneck: Redis"));

            // 2. The loop stops: the API scales within sustain + two intervals.
            busy.set(false);
            busyLoop.join();
            long stopped = System.nanoTime();
            await().atMost(sustain.plus(interval.multipliedBy(2))).pollInterval(Duration.ofMillis(50))
                    .until(() -> target.replicas == 4);
            System.out.printf("API scaled %d ms after the slow period ended%n", (System.nanoTime() - stopped) / 1_000_000);
            // Redis' cumulative p99 still remembers the slow period: the old evidence would have vetoed for ever.
            assertThat(latest.get().orElseThrow().nodeAt(slow).orElseThrow().metrics().orElseThrow().worstP99Usec())
                    .isGreaterThan(25_000);
        } finally {
            busy.set(false);
            schedule.shutdownNow();
            readers.shutdownNow();
        }
    }
}
