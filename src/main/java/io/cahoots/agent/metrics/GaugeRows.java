package io.cahoots.agent.metrics;

import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of a {@link MultiGauge} updated in place. {@code MultiGauge.register(rows, true)} removes every series and
 * adds it back, so a scrape that lands in between misses series that exist (seen: Sentinel gauges absent from one
 * {@code /q/metrics}, and Prometheus then sees them go stale). Here each tag set keeps one value holder for as long
 * as it is reported; only tag sets that appear are registered and only those that vanish are removed. When the tag
 * sets are the ones of the last call (nearly every poll) the holders are only updated: registering a row costs a
 * meter id, hashes and name sanitising, and at 1,000 nodes a dozen gauges re-registering every row every second were
 * ~6% of the agent's CPU samples (issue 12).
 */
public final class GaugeRows {

    /** One series' current value, read by the registry at scrape time. */
    private static final class Value {
        private volatile double value;
    }

    private final MultiGauge gauge;
    private final Map<Tags, Value> values = new HashMap<>();

    public GaugeRows(MultiGauge gauge) {
        this.gauge = gauge;
    }

    /** The series now: these tag sets with these values, and no others. */
    public synchronized void set(Map<Tags, ? extends Number> now) {
        if (values.keySet().equals(now.keySet())) {
            now.forEach((tags, number) -> values.get(tags).value = number.doubleValue());
            return;
        }
        values.keySet().retainAll(now.keySet());
        List<MultiGauge.Row<?>> rows = new ArrayList<>(now.size());
        now.forEach((tags, number) -> {
            Value v = values.computeIfAbsent(tags, t -> new Value());
            v.value = number.doubleValue();
            rows.add(MultiGauge.Row.of(tags, v, x -> x.value));
        });
        // overwrite=false: a series registered before keeps its holder (just updated); new ones are added, gone ones removed.
        gauge.register(rows, false);
    }
}
