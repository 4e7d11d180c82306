package io.cahoots.agent.scaling;

import io.cahoots.agent.scaling.policy.Decision;
import io.cahoots.agent.scaling.policy.Sample;
import io.cahoots.agent.scaling.policy.Trigger;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Names every meter of the replica supervisor ({@code cahoots.scaling.*}). Tags are bounded: {@code trigger} has
 * four values, {@code kind} seven, {@code applied} two.
 */
@Singleton
public class ScalingMetrics {

    public static final String PREFIX = "cahoots.scaling.";

    private final MeterRegistry registry;
    private final AtomicLong current = new AtomicLong(-1);
    private final AtomicLong desired = new AtomicLong(-1);
    private final AtomicLong leader = new AtomicLong();
    private final AtomicLong acting = new AtomicLong();
    private final Map<Trigger, AtomicReference<Double>> readings = new EnumMap<>(Trigger.class);
    private final Map<Trigger, AtomicLong> breaching = new EnumMap<>(Trigger.class);
    private final Map<Trigger, Counter> readingFailures = new EnumMap<>(Trigger.class);
    private final Counter scaleFailures;

    public ScalingMetrics(MeterRegistry registry) {
        this.registry = registry;
        gauge("replicas.current", current, "Replicas of the supervised Deployment (-1 before the first read)");
        gauge("replicas.desired", desired, "Replicas the policy wants (-1 before the first evaluation)");
        gauge("leader", leader, "1 when this agent replica holds the scaling lease");
        gauge("acting", acting, "1 in active mode (not dry-run, advisory, standby or disabled)");
        for (Trigger t : Trigger.values()) {
            AtomicReference<Double> r = new AtomicReference<>(Double.NaN);
            readings.put(t, r);
            Gauge.builder(PREFIX + "reading", r, AtomicReference::get).tag("trigger", t.label())
                    .description("Last reading of the trigger (NaN when missing)").register(registry);
            AtomicLong b = new AtomicLong();
            breaching.put(t, b);
            Gauge.builder(PREFIX + "trigger.breaching", b, AtomicLong::doubleValue).tag("trigger", t.label())
                    .description("1 while the reading is above its threshold").register(registry);
            readingFailures.put(t, Counter.builder(PREFIX + "reading.missing").tag("trigger", t.label())
                    .description("Evaluations without a reading for the trigger").register(registry));
        }
        scaleFailures = Counter.builder(PREFIX + "patch.failures").description("Failed attempts to change the replicas")
                .register(registry);
    }

    private void gauge(String name, AtomicLong value, String description) {
        Gauge.builder(PREFIX + name, value, AtomicLong::doubleValue).description(description).register(registry);
    }

    public void onSample(Sample sample, Map<Trigger, Boolean> above) {
        for (Trigger t : Trigger.values()) {
            readings.get(t).set(sample.value(t).isPresent() ? sample.value(t).getAsDouble() : Double.NaN);
            breaching.get(t).set(Boolean.TRUE.equals(above.get(t)) ? 1 : 0);
            if (sample.value(t).isEmpty()) {
                readingFailures.get(t).increment();
            }
        }
    }

    public void onReplicas(int currentReplicas, int desiredReplicas) {
        current.set(currentReplicas);
        desired.set(desiredReplicas);
    }

    public void onRole(boolean isLeader, boolean isActing) {
        leader.set(isLeader ? 1 : 0);
        acting.set(isActing ? 1 : 0);
    }

    public void onDecision(Decision d, boolean applied) {
        Counter.builder(PREFIX + "decisions").tag("kind", d.kind().wire()).tag("applied", Boolean.toString(applied))
                .description("Decisions of the replica policy").register(registry).increment();
    }

    public void onScaleFailure() {
        scaleFailures.increment();
    }
}
