package io.cahoots.agent.api;

import io.cahoots.agent.metrics.History;
import io.cahoots.agent.scaling.ScalingStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/history}: the console's charts, column by column (one array per figure, aligned with {@code at}),
 * which is several times smaller than one object per sample. {@code null} where a master had no figure (not a master
 * then, unread, or no command in the step).
 *
 * @param at        sample times, epoch milliseconds, oldest first
 * @param decisions the scaling decisions within the window, oldest first
 */
public record HistoryView(long stepSeconds, int capacity, List<Long> at, List<MasterSeries> masters, Replicas replicas,
                          List<DecisionMark> decisions) {

    public record MasterSeries(String id, String address, List<Double> opsPerSec, List<Long> usedMemoryBytes,
                               List<Long> maxMemoryBytes, List<Double> latencySeconds, List<Double> hitRatio) {
    }

    public record Replicas(List<Integer> current, List<Integer> desired) {
    }

    public record DecisionMark(long at, String kind, int from, int to, boolean applied, String reason) {
    }

    static HistoryView of(History history, ScalingStatus scaling) {
        List<History.Sample> samples = history.samples();
        List<Long> at = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        List<Integer> desired = new ArrayList<>();
        Map<String, MasterSeries> masters = new LinkedHashMap<>();
        for (int i = 0; i < samples.size(); i++) {
            History.Sample s = samples.get(i);
            at.add(s.at().toEpochMilli());
            current.add(s.currentReplicas());
            desired.add(s.desiredReplicas());
            for (Map.Entry<String, History.Point> e : s.masters().entrySet()) {
                MasterSeries m = masters.computeIfAbsent(e.getKey(), id -> empty(id, e.getValue().address(), samples.size()));
                History.Point p = e.getValue();
                m.opsPerSec().set(i, p.opsPerSec());
                m.usedMemoryBytes().set(i, p.usedMemoryBytes());
                m.maxMemoryBytes().set(i, p.maxMemoryBytes());
                m.latencySeconds().set(i, p.latencySeconds());
                m.hitRatio().set(i, p.hitRatio());
            }
        }
        Instant from = samples.isEmpty() ? Instant.MAX : samples.get(0).at();
        List<DecisionMark> decisions = new ArrayList<>();
        for (ScalingStatus.RecordedDecision r : scaling.decisions()) {
            if (!r.decision().at().isBefore(from)) {
                decisions.add(0, new DecisionMark(r.decision().at().toEpochMilli(), r.decision().kind().wire(), r.decision().from(),
                        r.decision().to(), r.applied(), r.decision().reason()));
            }
        }
        return new HistoryView(history.step().toSeconds(), history.capacity(), at, List.copyOf(masters.values()),
                new Replicas(current, desired), decisions);
    }

    private static MasterSeries empty(String id, String address, int n) {
        return new MasterSeries(id, address, nulls(n), nulls(n), nulls(n), nulls(n), nulls(n));
    }

    private static <T> List<T> nulls(int n) {
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(null);
        }
        return out;
    }
}
