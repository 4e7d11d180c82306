package io.cahoots.agent.scaling.decision;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeMetrics;
import io.cahoots.agent.cluster.RecentLatency;
import io.cahoots.agent.cluster.Role;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Redis evidence from plain snapshots: latency from latencystats or commandstats deltas, memory against maxmemory. */
class RedisPressureTest {

    static final long MIB = 1L << 20;

    static NodeMetrics metrics(long used, long max, long calls, long usec, Map<String, Double> p99) {
        return new NodeMetrics(used, max, "allkeys-lru", 10, 1000, 0, 0, 100, 0, 0, true, calls, usec, p99, "7.2.4", 100, false,
                calls, Map.of("evalsha", new NodeMetrics.CommandTotals(calls, usec)));
    }

    static ClusterNode node(String id, int port, NodeMetrics m) {
        return new ClusterNode(id, Optional.of(new HostPort("127.0.0.1", port)), port + 10000, Optional.empty(), Optional.empty(),
                Role.MASTER, Optional.empty(), List.of(), Set.of(), true, 1, Map.of(), Map.of(), Health.OK,
                Optional.ofNullable(m), 0, Optional.empty());
    }

    static ClusterSnapshot snapshot(ClusterNode... nodes) {
        return snapshotAt(Instant.EPOCH, nodes);
    }

    static ClusterSnapshot snapshotAt(Instant at, ClusterNode... nodes) {
        return new ClusterSnapshot(1, at, Duration.ZERO, "ok", List.of(nodes), null, "k");
    }

    static RedisPressure pressure(RecentLatency recent, ClusterSnapshot s) {
        recent.record(s);
        return RedisPressure.of(s, recent, 10, 90);
    }

    @Test
    void aHealthyClusterGivesNoEvidence() {
        ClusterSnapshot s = snapshot(node("a", 7000, metrics(100 * MIB, 2048 * MIB, 1000, 50_000, Map.of("get", 80.0))),
                node("b", 7001, null));
        assertThat(pressure(new RecentLatency(Duration.ofSeconds(2)), s).present()).isFalse();
    }

    @Test
    void memoryPressureIsNamedWithItsNodeAndACumulativeP99IsNotEvidence() {
        ClusterSnapshot s = snapshot(
                node("a", 7000, metrics(100 * MIB, 0, 1000, 50_000, Map.of("eval", 35_900.0, "set", 900.0))),
                node("b", 7001, metrics(1946 * MIB, 2048 * MIB, 1000, 50_000, Map.of())));
        assertThat(pressure(new RecentLatency(Duration.ofSeconds(2)), s).evidence()).containsExactly(
                "127.0.0.1:7001 memory 95% of maxmemory (1946 of 2048 MiB) >= 90%");
    }

    @Test
    void theAverageOverTheRecentWindowComesFromTheTotalsDifference() {
        RecentLatency recent = new RecentLatency(Duration.ofSeconds(2));
        Instant t0 = Instant.parse("2026-01-05T10:00:00Z");
        // Since the start the average is 10.5ms, but that history is not evidence of now.
        assertThat(pressure(recent, snapshotAt(t0, node("a", 7000, metrics(MIB, 0, 1_000, 1_000_000, Map.of())))).present()).isFalse();
        assertThat(pressure(recent, snapshotAt(t0.plusSeconds(1), node("a", 7000, metrics(MIB, 0, 2_000, 21_000_000, Map.of()))))
                .evidence()).containsExactly("127.0.0.1:7000 evalsha 20.0ms per call over the last 2s >= 10ms");
    }
}
