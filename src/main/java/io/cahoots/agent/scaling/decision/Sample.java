package io.cahoots.agent.scaling.decision;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One reading of every trigger, taken at {@code at}. A trigger is either in {@code values} or in {@code missing}
 * with the reason (a failed query, no series, NaN): a missing reading is never a zero.
 */
public record Sample(Instant at, Map<Trigger, Double> values, Map<Trigger, String> missing) {

    public Sample {
        values = values.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(values));
        missing = missing.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(missing));
        for (Trigger t : values.keySet()) {
            if (!Double.isFinite(values.get(t))) {
                throw new IllegalArgumentException(t.label() + " reading is not a finite number: " + values.get(t));
            }
        }
    }

    public static Sample of(Instant at, Map<Trigger, Double> values) {
        Map<Trigger, String> missing = new EnumMap<>(Trigger.class);
        for (Trigger t : Trigger.values()) {
            if (!values.containsKey(t)) {
                missing.put(t, "no reading");
            }
        }
        return new Sample(at, values, missing);
    }

    public OptionalDouble value(Trigger t) {
        Double v = values.get(t);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    public Optional<String> missingReason(Trigger t) {
        return Optional.ofNullable(missing.get(t));
    }
}
