package io.cahoots.agent.metrics;

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
import java.util.OptionalInt;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The console's history: bounded, rates between samples from Redis' counters, replicas alongside. */
class HistoryTest {

    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    /** A master with the given cumulative figures: commands processed, commandstats calls and usec, hits, misses. */
    static ClusterNode master(String id, long commands, long calls, long usec, long hits, long misses) {
        NodeMetrics m = new NodeMetrics(1000, 4000, "allkeys-lru", 3, 77, hits, misses, 10, 0, 0, true, calls, usec, Map.of(),
                "7.2.4", 100, false, commands);
        return node(id, Role.MASTER, m);
    }

    static ClusterNode node(String id, Role role, NodeMetrics m) {
        return new ClusterNode(id, Optional.of(new HostPort("127.0.0.1", 7000 + id.hashCode() % 100)), 17000, Optional.empty(),
                Optional.empty(), role, Optional.empty(), List.of(), Set.of(), true, 1, Map.of(), Map.of(), Health.OK,
                Optional.of(m), 0, Optional.empty());
    }

    static Optional<ClusterSnapshot> snapshot(ClusterNode... nodes) {
        return Optional.of(new ClusterSnapshot(1, T0, Duration.ZERO, "ok", List.of(nodes), null, "k"));
    }

    @Test
    void ratesAreAveragesOverTheStepFromRedisCounters() {
        History h = new History(10, Duration.ofSeconds(5));
        h.record(T0, snapshot(master("a", 1000, 900, 9000, 80, 20)), OptionalInt.of(2), OptionalInt.of(2));
        h.record(T0.plusSeconds(5), snapshot(master("a", 1500, 1400, 14000, 170, 30)), OptionalInt.of(2), OptionalInt.of(4));
        List<History.Sample> s = h.samples();
        // First sight: the instantaneous figures (ops from INFO, averages since the node started).
        assertThat(s.get(0).masters().get("a").opsPerSec()).isEqualTo(77);
        assertThat(s.get(0).masters().get("a").hitRatio()).isEqualTo(0.8);
        History.Point p = s.get(1).masters().get("a");
        assertThat(p.opsPerSec()).isEqualTo(100);                       // 500 commands in 5 s
        assertThat(p.latencySeconds()).isCloseTo(10e-6, within(1e-12)); // 5000 usec over 500 calls
        assertThat(p.hitRatio()).isEqualTo(0.9);                        // 90 hits, 10 misses in the step
        assertThat(p.usedMemoryBytes()).isEqualTo(1000);
        assertThat(p.maxMemoryBytes()).isEqualTo(4000);
        assertThat(s.get(1).currentReplicas()).isEqualTo(2);
        assertThat(s.get(1).desiredReplicas()).isEqualTo(4);
    }

    @Test
    void aRestartedNodeAndAnIdleOneGiveNoNegativeOrMadeUpFigures() {
        History h = new History(10, Duration.ofSeconds(5));
        h.record(T0, snapshot(master("a", 1000, 900, 9000, 80, 20)), OptionalInt.empty(), OptionalInt.empty());
        h.record(T0.plusSeconds(5), snapshot(master("a", 10, 9, 90, 0, 0)), OptionalInt.empty(), OptionalInt.empty());
        h.record(T0.plusSeconds(10), snapshot(master("a", 10, 9, 90, 0, 0)), OptionalInt.empty(), OptionalInt.empty());
        History.Point restarted = h.samples().get(1).masters().get("a");
        assertThat(restarted.opsPerSec()).isEqualTo(77);
        assertThat(restarted.hitRatio()).isNull();
        History.Point idle = h.samples().get(2).masters().get("a");
        assertThat(idle.opsPerSec()).isZero();
        assertThat(idle.latencySeconds()).isNull();
        assertThat(idle.hitRatio()).isNull();
        assertThat(h.samples().get(2).currentReplicas()).isNull();
    }

    @Test
    void theRingKeepsItsCapacityAndOnlyMasters() {
        History h = new History(3, Duration.ofSeconds(5));
        NodeMetrics replica = new NodeMetrics(1, 1, "", 0, 0, 0, 0, 0, 0, 0, true, 0, 0, Map.of(), "", 0, false, 0);
        for (int i = 0; i < 10; i++) {
            h.record(T0.plusSeconds(5L * i), snapshot(master("a", i, i, i, i, i), node("r", Role.REPLICA, replica)),
                    OptionalInt.of(i), OptionalInt.of(i));
        }
        assertThat(h.samples()).hasSize(3).extracting(History.Sample::currentReplicas).containsExactly(7, 8, 9);
        assertThat(h.samples()).allSatisfy(s -> assertThat(s.masters()).containsOnlyKeys("a"));
    }
}
