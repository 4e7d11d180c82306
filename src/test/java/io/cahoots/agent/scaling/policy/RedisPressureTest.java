package io.cahoots.agent.scaling.policy;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeMetrics;
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
        return new NodeMetrics(used, max, "allkeys-lru", 10, 1000, 0, 0, 100, 0, 0, true, calls, usec, p99, "7.2.4", 100, false);
    }

    static ClusterNode node(String id, int port, NodeMetrics m) {
        return new ClusterNode(id, Optional.of(new HostPort("127.0.0.1", port)), port + 10000, Optional.empty(), Optional.empty(),
                Role.MASTER, Optional.empty(), List.of(), Set.of(), true, 1, Map.of(), Map.of(), Health.OK,
                Optional.ofNullable(m), 0, Optional.empty());
    }

    static ClusterSnapshot snapshot(ClusterNode... nodes) {
        return new ClusterSnapshot(1, Instant.EPOCH, Duration.ZERO, "ok", List.of(nodes), null, "k");
    }

    @Test
    void aHealthyClusterGivesNoEvidence() {
        ClusterSnapshot s = snapshot(node("a", 7000, metrics(100 * MIB, 2048 * MIB, 1000, 50_000, Map.of("get", 80.0))),
                node("b", 7001, null));
        assertThat(RedisPressure.of(s, Optional.empty(), 10, 90).present()).isFalse();
    }

    @Test
    void highP99AndMemoryPressureAreNamedWithTheirNode() {
        ClusterSnapshot s = snapshot(
                node("a", 7000, metrics(100 * MIB, 0, 1000, 50_000, Map.of("get", 23_000.0, "set", 900.0))),
                node("b", 7001, metrics(1946 * MIB, 2048 * MIB, 1000, 50_000, Map.of())));
        assertThat(RedisPressure.of(s, Optional.empty(), 10, 90).evidence()).containsExactly(
                "127.0.0.1:7000 p99 get 23.0ms >= 10ms",
                "127.0.0.1:7001 memory 95% of maxmemory (1946 of 2048 MiB) >= 90%");
    }

    @Test
    void theAverageOverTheLastIntervalComesFromTwoSnapshots() {
        ClusterSnapshot before = snapshot(node("a", 7000, metrics(MIB, 0, 1_000, 1_000_000, Map.of())));
        ClusterSnapshot after = snapshot(node("a", 7000, metrics(MIB, 0, 2_000, 21_000_000, Map.of())));
        assertThat(RedisPressure.of(after, Optional.of(before), 10, 90).evidence())
                .containsExactly("127.0.0.1:7000 average 20.0ms per command over the last poll >= 10ms");
        // Since the start the average is 10.5ms, but that history is not evidence of now.
        assertThat(RedisPressure.of(after, Optional.empty(), 10, 90).present()).isFalse();
        // A restarted node (totals went down) gives no interval figure rather than a negative one.
        assertThat(RedisPressure.of(before, Optional.of(after), 10, 90).present()).isFalse();
    }
}
