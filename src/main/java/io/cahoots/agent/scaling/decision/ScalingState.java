package io.cahoots.agent.scaling.decision;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Everything the policy remembers between two evaluations. Immutable: {@link ScalingPolicy#evaluate} returns the
 * next state, so a caller that could not carry a decision out (a failed patch) simply keeps the previous one.
 *
 * @param runs             per trigger: since when it has been above its threshold
 * @param calmSince        since when every reading has been below half its threshold
 * @param observing        the window after a change, while it lasts
 * @param lastSeen         the replicas seen (or set by the agent) at the previous evaluation
 * @param reported         one-shot reports already made for the current episode (so a held state is said once)
 * @param externalChanges  when replicas were changed outside the agent, within {@link ScalingPolicy#CONTEST_WINDOW}
 */
public record ScalingState(
        Map<Trigger, Run> runs,
        Optional<Instant> calmSince,
        Optional<Observing> observing,
        OptionalInt lastSeen,
        Set<Decision.Kind> reported,
        List<Instant> externalChanges) {

    public static final ScalingState INITIAL = new ScalingState(Map.of(), Optional.empty(), Optional.empty(),
            OptionalInt.empty(), Set.of(), List.of());

    public ScalingState {
        runs = runs.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(runs));
        reported = Set.copyOf(reported);
        externalChanges = List.copyOf(externalChanges);
    }

    /**
     * One trigger's current breach.
     *
     * @param breachingSince when the reading went above its threshold (empty: not breaching)
     * @param missingSince   when readings stopped arriving (empty: the last evaluation had one)
     * @param last           the last reading seen
     */
    public record Run(Optional<Instant> breachingSince, Optional<Instant> missingSince, OptionalDouble last) {
        public static final Run NONE = new Run(Optional.empty(), Optional.empty(), OptionalDouble.empty());
    }

    /** Why the agent is watching instead of acting. */
    public enum Cause { SCALED_UP, SCALED_DOWN, EXTERNAL_CHANGE }

    /**
     * The window after a change.
     *
     * @param baseline the readings just before the change, to judge it against
     * @param causes   the triggers that asked for a scale-up (empty for other causes)
     */
    public record Observing(Cause cause, Instant since, Instant until, int from, int to, Map<Trigger, Double> baseline,
                            Set<Trigger> causes) {
        public Observing {
            baseline = Map.copyOf(baseline);
            causes = Set.copyOf(causes);
        }
    }

    public Run run(Trigger t) {
        return runs.getOrDefault(t, Run.NONE);
    }

    /** True when replicas were changed outside the agent often enough that acting would be a fight. */
    public boolean contested(Instant now) {
        return recentExternalChanges(now).size() >= ScalingPolicy.CONTESTED_AFTER;
    }

    public List<Instant> recentExternalChanges(Instant now) {
        return externalChanges.stream().filter(t -> Duration.between(t, now).compareTo(ScalingPolicy.CONTEST_WINDOW) < 0).toList();
    }

    /** When the contest ends if nobody changes the replicas again. */
    public Optional<Instant> contestedUntil(Instant now) {
        List<Instant> recent = recentExternalChanges(now);
        if (recent.size() < ScalingPolicy.CONTESTED_AFTER) {
            return Optional.empty();
        }
        return Optional.of(recent.get(recent.size() - ScalingPolicy.CONTESTED_AFTER).plus(ScalingPolicy.CONTEST_WINDOW));
    }

    ScalingState withRuns(Map<Trigger, Run> r) {
        return new ScalingState(r, calmSince, observing, lastSeen, reported, externalChanges);
    }

    ScalingState withCalmSince(Optional<Instant> c) {
        return new ScalingState(runs, c, observing, lastSeen, reported, externalChanges);
    }

    ScalingState withObserving(Optional<Observing> o) {
        return new ScalingState(runs, calmSince, o, lastSeen, reported, externalChanges);
    }

    ScalingState withLastSeen(int replicas) {
        return new ScalingState(runs, calmSince, observing, OptionalInt.of(replicas), reported, externalChanges);
    }

    ScalingState withReported(Set<Decision.Kind> r) {
        return new ScalingState(runs, calmSince, observing, lastSeen, r, externalChanges);
    }

    ScalingState withExternalChanges(List<Instant> e) {
        return new ScalingState(runs, calmSince, observing, lastSeen, reported, e);
    }
}
