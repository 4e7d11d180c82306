package io.cahoots.agent.cluster;

import io.cahoots.agent.cluster.NodeMetrics.CommandTotals;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The recent slowest command: a slow period counts while it is in the window and not after. */
class RecentLatencyTest {

    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");

    final Map<String, CommandTotals> totals = new HashMap<>();

    static ClusterNode node(String id, Map<String, CommandTotals> totals) {
        NodeMetrics m = new NodeMetrics(0, 0, "", 1, 0, 0, 0, 0, 0, 0, true, 0, 0, Map.of("eval", 35_900.0), "7.2.4", 1, false,
                0, totals);
        return new ClusterNode(id, Optional.of(new HostPort("127.0.0.1", 7000)), 17000, Optional.empty(), Optional.empty(),
                Role.MASTER, Optional.empty(), List.of(), Set.of(), true, 1, Map.of(), Map.of(), Health.OK, Optional.of(m), 0,
                Optional.empty());
    }

    static ClusterSnapshot at(int second, ClusterNode... nodes) {
        return new ClusterSnapshot(1, T0.plusSeconds(second), Duration.ZERO, "ok", List.of(nodes), null, "k");
    }

    /** One more second of traffic: {@code n} calls of {@code command} taking {@code usecEach}. */
    ClusterNode traffic(String command, int n, long usecEach) {
        CommandTotals t = totals.getOrDefault(command, new CommandTotals(0, 0));
        totals.put(command, new CommandTotals(t.calls() + n, t.usec() + n * usecEach));
        return node("a", Map.copyOf(totals));
    }

    @Test
    void aSlowPeriodCountsWhileInTheWindowAndIsForgottenAfter() {
        RecentLatency recent = new RecentLatency(Duration.ofSeconds(2));
        recent.record(at(0, traffic("get", 1000, 5)));
        assertThat(recent.slowest("a")).isEmpty(); // one reading: no difference yet
        for (int s = 1; s <= 5; s++) {
            traffic("time", 20_000, 0); // what the script calls counts as calls too
            recent.record(at(s, traffic("eval", 33, 30_000))); // a Lua busy loop: 30 ms per EVAL
        }
        assertThat(recent.slowest("a")).contains(new RecentLatency.CommandAverage("eval", 30_000, 66));
        recent.record(at(6, traffic("get", 1000, 5)));
        assertThat(recent.slowest("a").orElseThrow().command()).isEqualTo("eval"); // the window still holds a slow second
        recent.record(at(7, traffic("get", 1000, 5)));
        recent.record(at(8, traffic("get", 1000, 5)));
        assertThat(recent.slowest("a")).contains(new RecentLatency.CommandAverage("get", 5, 2000)); // fast again
    }

    @Test
    void totalsThatGoDownStartTheWindowAgainAndTheSameSnapshotTwiceChangesNothing() {
        RecentLatency recent = new RecentLatency(Duration.ofSeconds(2));
        recent.record(at(0, node("a", Map.of("get", new CommandTotals(5000, 5_000_000)))));
        recent.record(at(1, node("a", Map.of("get", new CommandTotals(6000, 6_000_000)))));
        recent.record(at(1, node("a", Map.of("get", new CommandTotals(6000, 6_000_000)))));
        assertThat(recent.slowest("a").orElseThrow().usecPerCall()).isEqualTo(1000);
        recent.record(at(2, node("a", Map.of("get", new CommandTotals(10, 100))))); // restarted
        assertThat(recent.slowest("a")).isEmpty();
        recent.record(at(3, node("a", Map.of("get", new CommandTotals(110, 1100)))));
        assertThat(recent.slowest("a").orElseThrow().usecPerCall()).isEqualTo(10);
    }

    @Test
    void noCallsInTheWindowIsNoFigureAndANodeThatLeavesIsForgotten() {
        RecentLatency recent = new RecentLatency(Duration.ofSeconds(2));
        Map<String, CommandTotals> idle = Map.of("get", new CommandTotals(100, 100));
        recent.record(at(0, node("a", idle), node("b", idle)));
        recent.record(at(1, node("a", idle), node("b", Map.of("get", new CommandTotals(200, 300)))));
        assertThat(recent.slowest("a")).isEmpty();
        assertThat(recent.slowest("b").orElseThrow().usecPerCall()).isEqualTo(2);
        recent.record(at(2, node("a", idle)));
        assertThat(recent.slowest("b")).isEmpty();
    }
}
