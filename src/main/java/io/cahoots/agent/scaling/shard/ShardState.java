package io.cahoots.agent.scaling.shard;

import io.cahoots.agent.scaling.shard.ShardDecision.Kind;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Everything the shard policy remembers between two evaluations. Immutable; an agent restart starts from
 * {@link #INITIAL} (the policy afresh: a full sustain or calm window before any step).
 *
 * @param runs      per trigger: since when it has been above its threshold
 * @param calmSince since when every reading has been below half its threshold
 * @param stepping  a step being carried out (the jobs run)
 * @param observing the window after a step, while it lasts
 * @param lastSeen  the masters seen at the previous evaluation
 * @param reported  held conditions already reported in this episode (said once)
 */
public record ShardState(Map<ShardTrigger, Run> runs, Optional<Instant> calmSince, Optional<Step> stepping,
                         Optional<Observing> observing, OptionalInt lastSeen, Set<Kind> reported) {

    public static final ShardState INITIAL = new ShardState(Map.of(), Optional.empty(), Optional.empty(), Optional.empty(),
            OptionalInt.empty(), Set.of());

    public ShardState {
        runs = runs.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(runs));
        reported = Set.copyOf(reported);
    }

    /** One trigger's breach: since when it is above its threshold, since when readings are missing. */
    public record Run(Optional<Instant> breachingSince, Optional<Instant> missingSince) {
        public static final Run NONE = new Run(Optional.empty(), Optional.empty());
    }

    /**
     * A step decided and being carried out.
     *
     * @param baseline the readings when it was decided, to judge it against
     * @param causes   the triggers that asked for it (empty for a scale-in)
     */
    public record Step(Kind kind, Instant since, int from, int to, Map<ShardTrigger, Double> baseline,
                       Set<ShardTrigger> causes) {
        public Step {
            baseline = Map.copyOf(baseline);
            causes = Set.copyOf(causes);
        }
    }

    /** The window after a step (or an outside change) before the next judgement. */
    public record Observing(Step step, Instant until) {
    }

    public Run run(ShardTrigger t) {
        return runs.getOrDefault(t, Run.NONE);
    }

    ShardState withRuns(Map<ShardTrigger, Run> r) {
        return new ShardState(r, calmSince, stepping, observing, lastSeen, reported);
    }

    ShardState withCalmSince(Optional<Instant> c) {
        return new ShardState(runs, c, stepping, observing, lastSeen, reported);
    }

    ShardState withStepping(Optional<Step> s) {
        return new ShardState(runs, calmSince, s, observing, lastSeen, reported);
    }

    ShardState withObserving(Optional<Observing> o) {
        return new ShardState(runs, calmSince, stepping, o, lastSeen, reported);
    }

    ShardState withLastSeen(OptionalInt l) {
        return new ShardState(runs, calmSince, stepping, observing, l, reported);
    }

    ShardState withReported(Set<Kind> r) {
        return new ShardState(runs, calmSince, stepping, observing, lastSeen, r);
    }
}
