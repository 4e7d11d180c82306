package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.AgentConfig;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The watcher in-process against a lab whose data nodes and Sentinels both require passwords: SENTINEL commands,
 * subscriptions and ROLE each use their own credentials, and a wrong Sentinel password is reported, not retried blindly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SentinelWatcherIT {

    private RedisLab lab;
    private final java.util.List<RedisConnections> opened = new java.util.ArrayList<>();

    @BeforeAll
    void start() {
        lab = RedisLab.start(LabSpec.builder().masters(0).sentinelGroup(true).sentinelReplicas(1).sentinels(3)
                .password("data-pw").sentinelPassword("sentinel-pw").build());
    }

    @AfterAll
    void stop() {
        opened.forEach(RedisConnections::close);
        lab.close();
    }

    private SentinelWatcher watcher(String sentinelPassword) {
        Map<String, String> p = new HashMap<>();
        p.put("agent.sentinel-nodes", lab.sentinels().stream().map(HostPort::toString).collect(Collectors.joining(",")));
        p.put("agent.redis-password", "data-pw");
        p.put("agent.sentinel-password", sentinelPassword);
        p.put("agent.poll-interval", "200ms");
        p.put("agent.redis-timeout", "500ms");
        Settings settings = Settings.from(new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(p, "test", 500))
                .withMapping(AgentConfig.class).build().getConfigMapping(AgentConfig.class));
        RedisConnections connections = new RedisConnections(settings.redisCredentials(), settings.sentinelCredentials(),
                false, settings.redisTimeout());
        opened.add(connections);
        SentinelWatcher w = new SentinelWatcher(settings, connections, new SentinelMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC());
        w.start(null);
        return w;
    }

    @Test
    void withTheRightPasswordsItSeesTheGroupAndSubscribesToEverySentinel() {
        SentinelWatcher w = watcher("sentinel-pw");
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                SentinelView v = w.latest().orElseThrow();
                assertThat(v.sentinels()).hasSize(3).allSatisfy(s -> {
                    assertThat(s.reachable()).isTrue();
                    assertThat(s.subscribed()).isTrue();
                    assertThat(s.runId()).isPresent();
                });
                SentinelView.MasterState m = v.masters().get("mymaster");
                assertThat(m.address()).isEqualTo(lab.sentinelPrimary());
                assertThat(m.usableReplicas()).containsExactlyElementsOf(lab.sentinelReplicas());
                assertThat(m.replicas().get(0).lagBytes()).isPresent();
                assertThat(m.quorumReachable()).isTrue();
                assertThat(m.sentinelsAgreeing()).isEqualTo(3);
            });
        } finally {
            w.stop(null);
        }
    }

    @Test
    void aHungSentinelIsNoticedByThePingWatchdogAndItsSubscriptionComesBack() {
        SentinelWatcher w = watcher("sentinel-pw");
        HostPort hung = lab.sentinels().get(0);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> w.latest().map(v -> v.sentinels().size() == 3
                    && v.sentinels().stream().allMatch(SentinelView.SentinelStatus::subscribed)).orElse(false));
            lab.node(hung).pause(); // SIGSTOP: the socket stays open, nothing answers
            try {
                // A subscribed socket has no read timeout; only the PING watchdog can notice (within two seconds).
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(status(w, hung)).satisfies(s -> {
                    assertThat(s.subscribed()).isFalse();
                    assertThat(s.reachable()).isFalse();
                }));
                assertThat(w.latest().orElseThrow().sentinels()).filteredOn(s -> !s.address().equals(hung))
                        .allSatisfy(s -> assertThat(s.subscribed()).isTrue());
                assertThat(w.latest().orElseThrow().masters().get("mymaster").address()).isEqualTo(lab.sentinelPrimary());
            } finally {
                lab.node(hung).resume();
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status(w, hung)).satisfies(s -> {
                assertThat(s.subscribed()).isTrue();
                assertThat(s.reachable()).isTrue();
            }));
        } finally {
            w.stop(null);
        }
    }

    private static SentinelView.SentinelStatus status(SentinelWatcher w, HostPort sentinel) {
        return w.latest().orElseThrow().sentinels().stream().filter(s -> s.address().equals(sentinel)).findFirst().orElseThrow();
    }

    @Test
    void aWrongSentinelPasswordIsReportedForEverySentinel() {
        SentinelWatcher w = watcher("wrong-pw");
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                SentinelView v = w.latest().orElseThrow();
                assertThat(v.anyReachable()).isFalse();
                assertThat(v.sentinels()).hasSize(3).allSatisfy(s -> assertThat(s.error()).hasValueSatisfying(e ->
                        assertThat(e).contains("authentication failed")));
                assertThat(v.masters()).isEmpty();
            });
        } finally {
            w.stop(null);
        }
    }
}
