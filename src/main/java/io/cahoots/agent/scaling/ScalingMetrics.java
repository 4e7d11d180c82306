package io.cahoots.agent.scaling;

import io.cahoots.agent.scaling.decision.Decision;
import io.cahoots.agent.scaling.decision.Sample;
import io.cahoots.agent.scaling.decision.Trigger;
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
            Reading unit = Reading.of(t);
            Gauge.builder(PREFIX + "reading." + unit.name, r, v -> v.get() / unit.divisor).baseUnit(unit.baseUnit)
                    .tag("trigger", t.label()).description(unit.description).register(registry);
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

    /**
     * One reading meter per unit, in base units: CPU and memory as a ratio (0-1, the settings' percent / 100), the
     * queue in requests, p95 in seconds (the settings' ms / 1000). Each keeps its {@code trigger} tag, so it joins
     * {@code cahoots_scaling_trigger_breaching} on it.
     */
    enum Reading {
        UTILIZATION("utilization", "ratio", 100, "Last CPU or memory utilisation reading, 0-1 (NaN when missing)"),
        QUEUE("queue", "requests", 1, "Last request queue length reading (NaN when missing)"),
        LATENCY("latency.p95", "seconds", 1000, "Last p95 response time reading (NaN when missing)");

        final String name;
        final String baseUnit;
        final double divisor;
        final String description;

        Reading(String name, String baseUnit, double divisor, String description) {
            this.name = name;
            this.baseUnit = baseUnit;
            this.divisor = divisor;
            this.description = description;
        }

        static Reading of(Trigger t) {
            return switch (t) {
                case CPU, MEMORY -> UTILIZATION;
                case QUEUE -> QUEUE;
                case P95 -> LATENCY;
            };
        }
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

    // The Redis shard autoscaler: cahoots_scaling_redis_*.
    private final AtomicLong shardMasters = new AtomicLong(-1);
    private final Map<String, AtomicReference<Double>> shardReadings = new java.util.concurrent.ConcurrentHashMap<>();

    /** Masters the shard autoscaler saw at its last evaluation. */
    public void onShardMasters(int masters) {
        if (shardMasters.getAndSet(masters) == -1 && masters >= 0) {
            gauge("redis.masters", shardMasters, "Masters the Redis shard autoscaler saw at its last evaluation");
        }
    }

    /** One shard trigger's reading in its own unit (percent, ops/s per master, milliseconds); NaN when missing. */
    public void onShardReading(String trigger, double value) {
        shardReadings.computeIfAbsent(trigger, t -> {
            AtomicReference<Double> r = new AtomicReference<>(Double.NaN);
            Gauge.builder(PREFIX + "redis.reading", r, AtomicReference::get).tag("trigger", t)
                    .description("Redis shard autoscaler trigger reading: memory in percent, ops in ops/s per master, latency in ms")
                    .register(registry);
            return r;
        }).set(value);
    }

    public void onShardDecision(String kind, boolean applied) {
        Counter.builder(PREFIX + "redis.decisions").tag("kind", kind).tag("applied", Boolean.toString(applied))
                .description("Redis shard autoscaler decisions, by kind and whether they were carried out").register(registry)
                .increment();
    }
}
