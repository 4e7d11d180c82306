package io.cahoots.agent.scaling.decision;

import io.cahoots.agent.scaling.decision.ScalingState.Cause;
import io.cahoots.agent.scaling.decision.ScalingState.Observing;
import io.cahoots.agent.scaling.decision.ScalingState.Run;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The replica policy: a pure function from (state, observation) to (next state, decisions). No clock, no I/O: the
 * time is the observation's, so a test replays any series of readings in microseconds.
 *
 * <p>Each evaluation:
 * <ol>
 *   <li>Runs: a trigger whose reading is above its threshold starts (or continues) a breach run; a reading at or
 *       below it ends the run. A missing reading neither starts nor ends one, but a gap longer than half of
 *       {@code sustain} forgets it, so a run never fires on data the agent did not see.</li>
 *   <li>Outside change: replicas differ from what the agent last saw or set: someone else scaled. Say so, keep
 *       hands off for one {@code observe} window, restart the runs' clocks. Two such changes within
 *       {@link #CONTEST_WINDOW} make the state {@linkplain ScalingState#contested contested}: the caller then only
 *       advises, rather than fight a person, a pipeline or an HPA.</li>
 *   <li>Paused: zero replicas means someone paused the Deployment; the agent never resumes it.</li>
 *   <li>Observing: after a change nothing else happens until the window ends. Then, after a scale-up, every trigger
 *       that caused it is judged: improved (at or below its threshold, or {@link #IMPROVEMENT_FRACTION} lower
 *       than before the step) on all of them -> keep, and a further step needs a full {@code sustain} again; not
 *       improved -> step again at once (it is still above its threshold by construction); no reading -> keep, since
 *       nothing proves the step failed.</li>
 *   <li>Steady: the triggers whose run lasted {@code sustain} fire. Only p95 firing, CPU and queue below their
 *       thresholds, and Redis showing evidence -> report "bottleneck: Redis" once and add no pod (more API pods
 *       would only add load to Redis). Otherwise desired = current + step, clamped to [min, max]; a clamp that
 *       leaves nothing to do is reported once per episode.</li>
 *   <li>Scale-down: CPU and memory below half their thresholds, and queue and p95 below half theirs or without
 *       reading (no traffic gives no latency), for {@code scaleDownAfter} -> one step down, never below min. The gap
 *       between half the threshold and the threshold is the hysteresis that keeps a load near the threshold from
 *       making the count oscillate.</li>
 * </ol>
 * Safety: at most one change per {@code observe} window; never above max by its own doing (a count already above is
 * not raised) nor below min; never from zero.
 */
public final class ScalingPolicy {

    /** Scale down only when every reading is below this fraction of its threshold. */
    public static final double CALM_FRACTION = 0.5;
    /** A reading this much lower than before the step counts as improved even while still above its threshold. */
    public static final double IMPROVEMENT_FRACTION = 0.10;
    public static final Duration CONTEST_WINDOW = Duration.ofHours(1);
    public static final int CONTESTED_AFTER = 2;

    private final ScalingLimits limits;

    public ScalingPolicy(ScalingLimits limits) {
        this.limits = limits;
    }

    public ScalingLimits limits() {
        return limits;
    }

    /**
     * @param replicas the Deployment's replicas now
     * @param redis    evidence from the Redis nodes; {@link RedisPressure#NONE} when the agent watches none
     * @param acting   true when a change will be carried out (active mode); otherwise the policy only advises, and
     *                 the next evaluation's replicas are not expected to follow its decisions
     */
    public record Observation(Sample sample, int replicas, RedisPressure redis, boolean acting) {
        public Instant now() {
            return sample.at();
        }
    }

    /** The next state and what was decided (empty most of the time). */
    public record Evaluation(ScalingState state, List<Decision> decisions) {
        public Evaluation {
            decisions = List.copyOf(decisions);
        }

        public Optional<Decision> change() {
            return decisions.stream().filter(Decision::changesReplicas).findFirst();
        }
    }

    public Evaluation evaluate(ScalingState previous, Observation o) {
        Instant now = o.now();
        ScalingState s = previous.withRuns(nextRuns(previous, o.sample(), now))
                .withCalmSince(nextCalm(previous, o.sample(), now));
        int current = o.replicas();

        if (previous.lastSeen().isPresent() && previous.lastSeen().getAsInt() != current) {
            return outsideChange(s, previous.lastSeen().getAsInt(), o);
        }
        if (current == 0) {
            s = s.withLastSeen(0).withObserving(Optional.empty()).withCalmSince(Optional.empty());
            return once(s, Decision.Kind.PAUSED, new Decision(now, Decision.Kind.PAUSED, 0, 0,
                    "replicas is 0: the Deployment was paused outside the agent, which does not resume it"));
        }
        s = s.withReported(without(s.reported(), Decision.Kind.PAUSED));
        Evaluation e;
        if (s.observing().isPresent()) {
            Observing w = s.observing().get();
            e = now.isBefore(w.until()) ? new Evaluation(s, List.of()) : judge(s, w, o);
        } else {
            e = steady(s, o);
        }
        int seen = o.acting() ? e.change().map(Decision::to).orElse(current) : current;
        return new Evaluation(e.state().withLastSeen(seen), e.decisions());
    }

    private Evaluation outsideChange(ScalingState s, int before, Observation o) {
        Instant now = o.now();
        int current = o.replicas();
        List<Instant> changes = new ArrayList<>(s.recentExternalChanges(now));
        changes.add(now);
        Observing w = new Observing(Cause.EXTERNAL_CHANGE, now, now.plus(limits.observe()), before, current,
                o.sample().values(), Set.of());
        ScalingState next = restartRuns(s, now).withObserving(current == 0 ? Optional.empty() : Optional.of(w))
                .withCalmSince(Optional.empty()).withLastSeen(current).withReported(Set.of()).withExternalChanges(changes);
        String reason = "replicas changed outside the agent: " + before + " -> " + current
                + (current == 0 ? "; the Deployment is paused, the agent does not resume it"
                : "; watching for " + human(limits.observe()) + " before acting");
        if (next.contested(now)) {
            reason += "; changed outside the agent " + changes.size() + " times within " + human(CONTEST_WINDOW)
                    + ": advising only, not acting, until " + next.contestedUntil(now).orElseThrow();
        }
        Decision d = new Decision(now, Decision.Kind.EXTERNAL_CHANGE, before, current, reason);
        if (current == 0) {
            next = next.withReported(Set.of(Decision.Kind.PAUSED));
        }
        return new Evaluation(next, List.of(d));
    }

    /** The end of an observation window. */
    private Evaluation judge(ScalingState s, Observing w, Observation o) {
        Instant now = o.now();
        int current = o.replicas();
        ScalingState steady = s.withObserving(Optional.empty());
        if (w.cause() != Cause.SCALED_UP) {
            String what = w.cause() == Cause.SCALED_DOWN ? "the step down" : current + " set outside the agent";
            return new Evaluation(steady, List.of(new Decision(now, Decision.Kind.KEEP, current, current,
                    "after " + human(limits.observe()) + " with " + what + ": " + readings(o.sample()) + "; keeping " + current)));
        }
        List<String> parts = new ArrayList<>();
        Set<Trigger> notImproved = EnumSet.noneOf(Trigger.class);
        boolean missing = false;
        for (Trigger t : w.causes()) {
            OptionalDouble v = o.sample().value(t);
            if (v.isEmpty()) {
                missing = true;
                parts.add(t.label() + " has no reading (" + o.sample().missingReason(t).orElse("missing") + ")");
                continue;
            }
            double before = w.baseline().getOrDefault(t, v.getAsDouble());
            parts.add(t.label() + " " + t.format(v.getAsDouble()) + " (was " + t.format(before) + ")");
            boolean improved = v.getAsDouble() <= limits.threshold(t) || v.getAsDouble() <= before * (1 - IMPROVEMENT_FRACTION);
            if (!improved) {
                notImproved.add(t);
            }
        }
        String after = "after " + human(limits.observe()) + " " + String.join(", ", parts);
        if (notImproved.isEmpty()) {
            String verdict = missing ? ": cannot judge without readings, keeping " : ": improved, keeping ";
            return new Evaluation(restartRuns(steady, now),
                    List.of(new Decision(now, Decision.Kind.KEEP, current, current, after + verdict + current)));
        }
        String still = notImproved.stream().map(t -> t.label() + " > " + t.format(limits.threshold(t)))
                .collect(Collectors.joining(", "));
        int target = limits.clamp(current + limits.step());
        if (target <= current) {
            return new Evaluation(steady.withReported(with(steady.reported(), Decision.Kind.AT_BOUND)),
                    List.of(new Decision(now, Decision.Kind.AT_BOUND, current, current,
                            after + ": not improved (" + still + "), but " + atMax(current))));
        }
        Observing next = new Observing(Cause.SCALED_UP, now, now.plus(limits.observe()), current, target,
                o.sample().values(), notImproved);
        return new Evaluation(steady.withObserving(Optional.of(next)).withCalmSince(Optional.empty()),
                List.of(new Decision(now, Decision.Kind.SCALE_UP, current, target,
                        after + ": not improved (" + still + "): " + current + " -> " + target)));
    }

    private Evaluation steady(ScalingState s, Observation o) {
        Instant now = o.now();
        int current = o.replicas();
        Set<Trigger> firing = firing(s, o.sample(), now);
        if (firing.isEmpty()) {
            s = s.withReported(without(s.reported(), Decision.Kind.AT_BOUND, Decision.Kind.REDIS_BOTTLENECK));
            if (s.calmSince().isPresent() && !now.isBefore(s.calmSince().get().plus(limits.scaleDownAfter()))
                    && current > limits.min()) {
                int target = Math.max(limits.min(), current - limits.step());
                Observing w = new Observing(Cause.SCALED_DOWN, now, now.plus(limits.observe()), current, target,
                        o.sample().values(), Set.of());
                return new Evaluation(s.withObserving(Optional.of(w)).withCalmSince(Optional.empty()),
                        List.of(new Decision(now, Decision.Kind.SCALE_DOWN, current, target,
                                "every reading below half its threshold for " + human(limits.scaleDownAfter()) + " ("
                                        + readings(o.sample()) + "): " + current + " -> " + target)));
            }
            return new Evaluation(s, List.of());
        }
        String why = firing.stream().map(t -> t.label() + " " + t.format(o.sample().value(t).getAsDouble()) + " > "
                + t.format(limits.threshold(t))).collect(Collectors.joining(" and ")) + " for " + human(limits.sustain());

        if (firing.equals(EnumSet.of(Trigger.P95)) && o.redis().present()
                && !breaching(o.sample(), Trigger.CPU) && !breaching(o.sample(), Trigger.QUEUE)) {
            return once(s, Decision.Kind.REDIS_BOTTLENECK, new Decision(now, Decision.Kind.REDIS_BOTTLENECK, current, current,
                    "bottleneck: Redis: " + why + " while " + calmPart(o.sample(), Trigger.CPU) + " and "
                            + calmPart(o.sample(), Trigger.QUEUE) + "; Redis shows " + String.join("; ", o.redis().evidence())
                            + ": not adding API pods; the remedy is Redis capacity (one more shard: the Redis shard autoscaler, or POST /api/v1/cluster/nodes)"));
        }
        s = s.withReported(without(s.reported(), Decision.Kind.REDIS_BOTTLENECK));
        int target = limits.clamp(current + limits.step());
        if (target <= current) {
            return once(s, Decision.Kind.AT_BOUND, new Decision(now, Decision.Kind.AT_BOUND, current, current,
                    why + ": " + atMax(current)));
        }
        Observing w = new Observing(Cause.SCALED_UP, now, now.plus(limits.observe()), current, target,
                o.sample().values(), firing);
        return new Evaluation(s.withObserving(Optional.of(w)).withCalmSince(Optional.empty()).withReported(
                without(s.reported(), Decision.Kind.AT_BOUND)),
                List.of(new Decision(now, Decision.Kind.SCALE_UP, current, target, why + ": " + current + " -> " + target)));
    }

    /** Triggers whose current reading is above the threshold and whose run has lasted {@code sustain}. */
    public Set<Trigger> firing(ScalingState s, Sample sample, Instant now) {
        Set<Trigger> out = EnumSet.noneOf(Trigger.class);
        for (Trigger t : Trigger.values()) {
            Optional<Instant> since = s.run(t).breachingSince();
            if (since.isPresent() && breaching(sample, t) && !now.isBefore(since.get().plus(limits.sustain()))) {
                out.add(t);
            }
        }
        return out;
    }

    private boolean breaching(Sample sample, Trigger t) {
        OptionalDouble v = sample.value(t);
        return v.isPresent() && v.getAsDouble() > limits.threshold(t);
    }

    private Map<Trigger, Run> nextRuns(ScalingState s, Sample sample, Instant now) {
        Map<Trigger, Run> out = new EnumMap<>(Trigger.class);
        Duration maxGap = limits.sustain().dividedBy(2);
        for (Trigger t : Trigger.values()) {
            Run r = s.run(t);
            OptionalDouble v = sample.value(t);
            if (v.isPresent()) {
                Optional<Instant> since = v.getAsDouble() > limits.threshold(t)
                        ? Optional.of(r.breachingSince().orElse(now)) : Optional.empty();
                out.put(t, new Run(since, Optional.empty(), v));
            } else {
                Instant missingSince = r.missingSince().orElse(now);
                boolean forget = Duration.between(missingSince, now).compareTo(maxGap) > 0;
                out.put(t, new Run(forget ? Optional.empty() : r.breachingSince(), Optional.of(missingSince), r.last()));
            }
        }
        return out;
    }

    private Optional<Instant> nextCalm(ScalingState s, Sample sample, Instant now) {
        for (Trigger t : Trigger.values()) {
            OptionalDouble v = sample.value(t);
            boolean required = t == Trigger.CPU || t == Trigger.MEMORY;
            if (v.isEmpty() ? required : v.getAsDouble() >= limits.threshold(t) * CALM_FRACTION) {
                return Optional.empty();
            }
        }
        return Optional.of(s.calmSince().orElse(now));
    }

    /** Runs that are breaching start counting again from {@code now}: a further step needs a full sustain. */
    private static ScalingState restartRuns(ScalingState s, Instant now) {
        Map<Trigger, Run> out = new EnumMap<>(Trigger.class);
        s.runs().forEach((t, r) -> out.put(t, r.breachingSince().isPresent()
                ? new Run(Optional.of(now), r.missingSince(), r.last()) : r));
        return s.withRuns(out);
    }

    /** Reports a held condition once per episode. */
    private static Evaluation once(ScalingState s, Decision.Kind kind, Decision d) {
        if (s.reported().contains(kind)) {
            return new Evaluation(s, List.of());
        }
        return new Evaluation(s.withReported(with(s.reported(), kind)), List.of(d));
    }

    private String atMax(int current) {
        return current > limits.max() ? current + " is already above the maximum of " + limits.max()
                : "already at the maximum of " + limits.max() + " (AGENT_SCALING_MAX_REPLICAS)";
    }

    private String calmPart(Sample sample, Trigger t) {
        OptionalDouble v = sample.value(t);
        return v.isPresent() ? t.label() + " " + t.format(v.getAsDouble()) + " <= " + t.format(limits.threshold(t))
                : t.label() + " has no reading";
    }

    static String readings(Sample sample) {
        List<String> parts = new ArrayList<>();
        for (Trigger t : Trigger.values()) {
            OptionalDouble v = sample.value(t);
            parts.add(t.label() + (v.isPresent() ? " " + t.format(v.getAsDouble()) : " no reading"));
        }
        return String.join(", ", parts);
    }

    private static Set<Decision.Kind> with(Set<Decision.Kind> set, Decision.Kind k) {
        Set<Decision.Kind> out = new HashSet<>(set);
        out.add(k);
        return out;
    }

    private static Set<Decision.Kind> without(Set<Decision.Kind> set, Decision.Kind... kinds) {
        Set<Decision.Kind> out = new HashSet<>(set);
        out.removeAll(List.of(kinds));
        return out;
    }

    /** {@code 5m}, {@code 90s}, {@code 90m}, {@code 1h}, {@code 500ms}: the largest unit that divides the duration. */
    public static String human(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (s % 60 != 0 || s < 60) {
            return s + "s";
        }
        long m = s / 60;
        if (m % 60 != 0 || m < 60) {
            return m + "m";
        }
        return m / 60 + "h";
    }
}
