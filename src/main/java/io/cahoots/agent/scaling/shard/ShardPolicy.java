package io.cahoots.agent.scaling.shard;

import io.cahoots.agent.scaling.decision.ScalingPolicy;
import io.cahoots.agent.scaling.shard.ShardDecision.Kind;
import io.cahoots.agent.scaling.shard.ShardState.Observing;
import io.cahoots.agent.scaling.shard.ShardState.Run;
import io.cahoots.agent.scaling.shard.ShardState.Step;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The shard policy: a pure function from (state, sample) to (next state, decisions), in the API policy's style
 * ({@link ScalingPolicy}). No clock, no I/O; the time is the sample's.
 *
 * <ol>
 *   <li>Runs: a trigger above its threshold starts (or continues) a breach run, at or below ends it; a missing reading
 *       neither starts nor ends one, but a gap longer than half of {@code sustain} forgets it.</li>
 *   <li>Stepping: while the step's jobs run (or the masters are not yet what it aims at) nothing else is decided:
 *       never two steps at once. When it is done, the observation window starts.</li>
 *   <li>Outside change: the masters differ from the last evaluation without a step of the agent: say so and watch
 *       for one {@code observe} window.</li>
 *   <li>Observing: at the end of the window after a scale-out, each trigger that caused it is judged: at or below its
 *       threshold, or {@value #IMPROVEMENT_PERCENT}% lower than before -> keep (and a further step needs a full
 *       sustain); not improved -> one more shard at once; no reading -> keep, nothing proves the step failed.</li>
 *   <li>Steady: triggers held for {@code sustain} ask for one shard (a master and a replica, then a rebalance), never
 *       above {@code maxMasters}, never while a job runs or the cluster check fails (reported once, decided again
 *       when it clears).</li>
 *   <li>Scale-in: memory and ops/s below half their thresholds, latency too or without reading, for
 *       {@code scaleInAfter}, more than {@code minMasters}, and headroom: with the least-filled master drained, the
 *       others would be at most {@value #HEADROOM_PERCENT}% of the memory and ops/s thresholds. Then that master is
 *       drained and released with its replicas. The gap between half a threshold and the threshold, and the margin
 *       of the headroom, keep a load near a threshold from making the count oscillate.</li>
 * </ol>
 * Safety: at most one step in flight and one per {@code observe} window; never above max by its own doing nor below
 * min; a scale-in only with room for the drained data.
 */
public final class ShardPolicy {

    /** Scale in only when every reading is below this fraction of its threshold. */
    public static final double CALM_FRACTION = 0.5;
    public static final int IMPROVEMENT_PERCENT = 10;
    /** After a scale-in the others must stay at most at this percentage of the memory and ops/s thresholds. */
    public static final int HEADROOM_PERCENT = 75;

    private final ShardLimits limits;

    public ShardPolicy(ShardLimits limits) {
        this.limits = limits;
    }

    public ShardLimits limits() {
        return limits;
    }

    /** The next state and what was decided (empty most of the time). */
    public record Evaluation(ShardState state, List<ShardDecision> decisions) {
        public Evaluation {
            decisions = List.copyOf(decisions);
        }

        public Optional<ShardDecision> step() {
            return decisions.stream().filter(d -> d.kind() == Kind.SCALE_OUT || d.kind() == Kind.SCALE_IN).findFirst();
        }
    }

    /**
     * @param acting true when a step will be carried out; otherwise (dry run, advisory) the policy only says what it
     *               would do and watches as if it had
     */
    public Evaluation evaluate(ShardState previous, ShardSample sample, boolean acting) {
        Instant now = sample.at();
        ShardState s = previous.withRuns(nextRuns(previous, sample)).withCalmSince(nextCalm(previous, sample));
        int masters = sample.masters();
        if (s.stepping().isPresent()) {
            Step step = s.stepping().get();
            if (sample.jobRunning() || masters != step.to()) {
                return new Evaluation(s, List.of());
            }
            return new Evaluation(s.withStepping(Optional.empty())
                    .withObserving(Optional.of(new Observing(step, now.plus(limits.observe()))))
                    .withLastSeen(OptionalInt.of(masters)), List.of());
        }
        if (previous.lastSeen().isPresent() && previous.lastSeen().getAsInt() != masters) {
            int before = previous.lastSeen().getAsInt();
            Step outside = new Step(Kind.EXTERNAL_CHANGE, now, before, masters, sample.values(), Set.of());
            return new Evaluation(restartRuns(s, now).withObserving(Optional.of(new Observing(outside, now.plus(limits.observe()))))
                    .withCalmSince(Optional.empty()).withLastSeen(OptionalInt.of(masters)).withReported(Set.of()),
                    List.of(new ShardDecision(now, Kind.EXTERNAL_CHANGE, before, masters, Optional.empty(),
                            "masters changed outside the agent: " + before + " -> " + masters + "; watching for "
                                    + human(limits.observe()) + " before acting")));
        }
        s = s.withLastSeen(OptionalInt.of(masters));
        if (s.observing().isPresent()) {
            Observing w = s.observing().get();
            return now.isBefore(w.until()) ? new Evaluation(s, List.of()) : judge(s.withObserving(Optional.empty()), w, sample, acting);
        }
        return steady(s, sample, acting);
    }

    /** The step could not be carried out: say why; a new attempt needs a full sustain (or calm) window again. */
    public Evaluation stepFailed(ShardState s, Instant now, String error) {
        Step step = s.stepping().orElseThrow();
        ShardState next = restartRuns(s, now).withStepping(Optional.empty()).withCalmSince(Optional.empty())
                .withLastSeen(OptionalInt.empty());
        return new Evaluation(next, List.of(new ShardDecision(now, Kind.STEP_FAILED, step.from(), step.from(), Optional.empty(),
                step.kind().wire() + " " + step.from() + " -> " + step.to() + " failed: " + error)));
    }

    private Evaluation judge(ShardState s, Observing w, ShardSample sample, boolean acting) {
        Instant now = sample.at();
        int masters = sample.masters();
        Step step = w.step();
        if (step.kind() != Kind.SCALE_OUT) {
            String what = step.kind() == Kind.SCALE_IN ? "the scale-in" : masters + " masters set outside the agent";
            return new Evaluation(s, List.of(new ShardDecision(now, Kind.KEEP, masters, masters, Optional.empty(),
                    "after " + human(limits.observe()) + " with " + what + ": " + readings(sample) + "; keeping " + masters)));
        }
        List<String> parts = new ArrayList<>();
        Set<ShardTrigger> notImproved = EnumSet.noneOf(ShardTrigger.class);
        boolean missing = false;
        for (ShardTrigger t : step.causes()) {
            OptionalDouble v = sample.value(t);
            if (v.isEmpty()) {
                missing = true;
                parts.add(t.label() + " has no reading (" + sample.missing().getOrDefault(t, "missing") + ")");
                continue;
            }
            double before = step.baseline().getOrDefault(t, v.getAsDouble());
            parts.add(t.label() + " " + t.format(v.getAsDouble()) + " (was " + t.format(before) + ")");
            if (v.getAsDouble() > limits.threshold(t) && v.getAsDouble() > before * (1 - IMPROVEMENT_PERCENT / 100.0)) {
                notImproved.add(t);
            }
        }
        String after = "after " + human(limits.observe()) + " " + String.join(", ", parts);
        if (notImproved.isEmpty()) {
            String verdict = missing ? ": cannot judge without readings, keeping " : ": improved, keeping ";
            return new Evaluation(restartRuns(s, now), List.of(new ShardDecision(now, Kind.KEEP, masters, masters,
                    Optional.empty(), after + verdict + masters)));
        }
        String still = notImproved.stream().map(t -> t.label() + " > " + t.format(limits.threshold(t)))
                .collect(Collectors.joining(", "));
        return scaleOut(s, sample, notImproved, after + ": not improved (" + still + ")", acting);
    }

    private Evaluation steady(ShardState s, ShardSample sample, boolean acting) {
        Instant now = sample.at();
        Set<ShardTrigger> firing = firing(s, sample);
        if (!firing.isEmpty()) {
            s = s.withReported(without(s.reported(), Kind.NO_HEADROOM));
            String why = firing.stream().map(t -> t.label() + " " + t.format(sample.value(t).getAsDouble()) + " > "
                    + t.format(limits.threshold(t))).collect(Collectors.joining(" and ")) + " for " + human(limits.sustain());
            return scaleOut(s, sample, firing, why, acting);
        }
        int masters = sample.masters();
        boolean calmLongEnough = s.calmSince().isPresent()
                && !now.isBefore(s.calmSince().get().plus(limits.scaleInAfter()));
        if (!calmLongEnough || masters <= limits.minMasters()) {
            return new Evaluation(s.withReported(without(s.reported(), Kind.HELD, Kind.AT_BOUND)), List.of());
        }
        String calm = "calm for " + human(limits.scaleInAfter()) + " (" + readings(sample) + ")";
        Optional<String> noRoom = noHeadroom(sample);
        if (noRoom.isPresent()) {
            return once(s, new ShardDecision(now, Kind.NO_HEADROOM, masters, masters, Optional.empty(),
                    calm + ", but not scaling in: " + noRoom.get()));
        }
        Optional<String> held = held(sample);
        if (held.isPresent()) {
            return once(s, new ShardDecision(now, Kind.HELD, masters, masters, Optional.empty(), calm + ": scale-in waits, " + held.get()));
        }
        ShardSample.Headroom h = sample.headroom();
        Step step = new Step(Kind.SCALE_IN, now, masters, masters - 1, sample.values(), Set.of());
        ShardDecision d = new ShardDecision(now, Kind.SCALE_IN, masters, masters - 1, h.drain(), calm + "; " + h.drainAddress()
                + " (" + mib(h.drainedBytes()) + ") fits in the others' room: draining it, " + masters + " -> " + (masters - 1)
                + (h.note().isEmpty() ? "" : " (" + h.note() + ")"));
        return new Evaluation(begin(s, step, acting).withCalmSince(Optional.empty()).withReported(Set.of()), List.of(d));
    }

    private Evaluation scaleOut(ShardState s, ShardSample sample, Set<ShardTrigger> causes, String why, boolean acting) {
        Instant now = sample.at();
        int masters = sample.masters();
        if (masters >= limits.maxMasters()) {
            return once(s, new ShardDecision(now, Kind.AT_BOUND, masters, masters, Optional.empty(), why + ": "
                    + (masters > limits.maxMasters() ? masters + " masters is already above" : "already at") + " the maximum of "
                    + limits.maxMasters() + " masters (AGENT_REDIS_SCALING_MAX_MASTERS)"));
        }
        Optional<String> held = held(sample);
        if (held.isPresent()) {
            return once(s, new ShardDecision(now, Kind.HELD, masters, masters, Optional.empty(), why + ": one more shard waits, " + held.get()));
        }
        Step step = new Step(Kind.SCALE_OUT, now, masters, masters + 1, sample.values(), causes);
        return new Evaluation(begin(s, step, acting).withCalmSince(Optional.empty()).withReported(Set.of()),
                List.of(new ShardDecision(now, Kind.SCALE_OUT, masters, masters + 1, Optional.empty(),
                        why + ": one more shard, " + masters + " -> " + (masters + 1) + " masters, then a rebalance")));
    }

    /** Acting: the step's jobs run and the window starts when they end. Advising: the window starts now. */
    private ShardState begin(ShardState s, Step step, boolean acting) {
        return acting ? s.withStepping(Optional.of(step))
                : s.withObserving(Optional.of(new Observing(step, step.since().plus(limits.observe()))));
    }

    private Optional<String> held(ShardSample sample) {
        if (sample.jobRunning()) {
            return Optional.of("a job is running");
        }
        if (!sample.clusterOk()) {
            return Optional.of("the cluster check is not ok");
        }
        return Optional.empty();
    }

    private Optional<String> noHeadroom(ShardSample sample) {
        ShardSample.Headroom h = sample.headroom();
        if (h.unknown().isPresent()) {
            return h.unknown();
        }
        double limitPercent = limits.memoryPercent() * HEADROOM_PERCENT / 100;
        double memory = h.remainingBytes() <= 0 ? Double.POSITIVE_INFINITY : 100.0 * h.usedBytes() / h.remainingBytes();
        if (memory > limitPercent) {
            return Optional.of(String.format(Locale.ROOT, "without %s the others would hold %s in %s of maxmemory, %.0f%% > %.0f%% "
                    + "(%d%% of the %.0f%% threshold)", h.drainAddress(), mib(h.usedBytes()), mib(h.remainingBytes()), memory,
                    limitPercent, HEADROOM_PERCENT, limits.memoryPercent()));
        }
        double ops = h.opsPerSecond() / (sample.masters() - 1);
        double limitOps = limits.opsPerSecond() * HEADROOM_PERCENT / 100;
        if (ops > limitOps) {
            return Optional.of(String.format(Locale.ROOT, "the others would serve %.0f ops/s each > %.0f (%d%% of the %.0f threshold)",
                    ops, limitOps, HEADROOM_PERCENT, limits.opsPerSecond()));
        }
        return Optional.empty();
    }

    /** Triggers above their threshold whose run has lasted {@code sustain}. */
    public Set<ShardTrigger> firing(ShardState s, ShardSample sample) {
        Set<ShardTrigger> out = EnumSet.noneOf(ShardTrigger.class);
        for (ShardTrigger t : ShardTrigger.values()) {
            Optional<Instant> since = s.run(t).breachingSince();
            if (since.isPresent() && breaching(sample, t) && !sample.at().isBefore(since.get().plus(limits.sustain()))) {
                out.add(t);
            }
        }
        return out;
    }

    private boolean breaching(ShardSample sample, ShardTrigger t) {
        OptionalDouble v = sample.value(t);
        return v.isPresent() && v.getAsDouble() > limits.threshold(t);
    }

    private Map<ShardTrigger, Run> nextRuns(ShardState s, ShardSample sample) {
        Map<ShardTrigger, Run> out = new EnumMap<>(ShardTrigger.class);
        Instant now = sample.at();
        Duration maxGap = limits.sustain().dividedBy(2);
        for (ShardTrigger t : ShardTrigger.values()) {
            Run r = s.run(t);
            OptionalDouble v = sample.value(t);
            if (v.isPresent()) {
                out.put(t, new Run(breaching(sample, t) ? Optional.of(r.breachingSince().orElse(now)) : Optional.empty(), Optional.empty()));
            } else {
                Instant missingSince = r.missingSince().orElse(now);
                boolean forget = Duration.between(missingSince, now).compareTo(maxGap) > 0;
                out.put(t, new Run(forget ? Optional.empty() : r.breachingSince(), Optional.of(missingSince)));
            }
        }
        return out;
    }

    private Optional<Instant> nextCalm(ShardState s, ShardSample sample) {
        for (ShardTrigger t : ShardTrigger.values()) {
            OptionalDouble v = sample.value(t);
            boolean required = t != ShardTrigger.LATENCY; // no traffic gives no latency
            if (v.isEmpty() ? required : v.getAsDouble() >= limits.threshold(t) * CALM_FRACTION) {
                return Optional.empty();
            }
        }
        return Optional.of(s.calmSince().orElse(sample.at()));
    }

    private static ShardState restartRuns(ShardState s, Instant now) {
        Map<ShardTrigger, Run> out = new EnumMap<>(ShardTrigger.class);
        s.runs().forEach((t, r) -> out.put(t, r.breachingSince().isPresent() ? new Run(Optional.of(now), r.missingSince()) : r));
        return s.withRuns(out);
    }

    private static Evaluation once(ShardState s, ShardDecision d) {
        if (s.reported().contains(d.kind())) {
            return new Evaluation(s, List.of());
        }
        Set<Kind> reported = new HashSet<>(s.reported());
        reported.add(d.kind());
        return new Evaluation(s.withReported(reported), List.of(d));
    }

    private static Set<Kind> without(Set<Kind> set, Kind... kinds) {
        Set<Kind> out = new HashSet<>(set);
        out.removeAll(List.of(kinds));
        return out;
    }

    static String readings(ShardSample sample) {
        List<String> parts = new ArrayList<>();
        for (ShardTrigger t : ShardTrigger.values()) {
            OptionalDouble v = sample.value(t);
            parts.add(t.label() + (v.isPresent() ? " " + t.format(v.getAsDouble()) : " no reading"));
        }
        return String.join(", ", parts);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    static String human(Duration d) {
        return ScalingPolicy.human(d);
    }
}
