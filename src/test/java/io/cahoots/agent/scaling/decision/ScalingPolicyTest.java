package io.cahoots.agent.scaling.decision;

import io.cahoots.agent.scaling.decision.Decision.Kind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.cahoots.agent.scaling.decision.Trigger.CPU;
import static io.cahoots.agent.scaling.decision.Trigger.MEMORY;
import static io.cahoots.agent.scaling.decision.Trigger.P95;
import static io.cahoots.agent.scaling.decision.Trigger.QUEUE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy over synthetic series with the strategy's defaults (2..10 replicas, step 2, cpu 70%, memory 80%,
 * queue 100, p95 500ms, sustain 5m, observe 5m) and a 30m scale-down window, evaluated every 15s.
 */
class ScalingPolicyTest {

    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    static final Duration TICK = Duration.ofSeconds(15);
    static final ScalingLimits LIMITS = new ScalingLimits(2, 10, 2,
            Map.of(CPU, 70.0, MEMORY, 80.0, QUEUE, 100.0, P95, 500.0),
            Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(30));

    /** Plays a series against the policy; the Deployment follows the decisions when acting. */
    static final class Sim {
        final ScalingPolicy policy = new ScalingPolicy(LIMITS);
        ScalingState state = ScalingState.INITIAL;
        Instant now = T0;
        int replicas;
        boolean acting = true;
        RedisPressure redis = RedisPressure.NONE;
        final List<Decision> decisions = new ArrayList<>();
        final List<Integer> history = new ArrayList<>();

        Sim(int replicas) {
            this.replicas = replicas;
        }

        /** Runs for {@code length} with readings as a function of the time since T0. */
        Sim run(Duration length, Function<Duration, Map<Trigger, Double>> series) {
            Instant end = now.plus(length);
            while (now.isBefore(end)) {
                evaluate(series.apply(Duration.between(T0, now)));
                now = now.plus(TICK);
            }
            return this;
        }

        List<Decision> evaluate(Map<Trigger, Double> readings) {
            ScalingPolicy.Evaluation e = policy.evaluate(state,
                    new ScalingPolicy.Observation(Sample.of(now, readings), replicas, redis, acting));
            state = e.state();
            decisions.addAll(e.decisions());
            if (acting) {
                e.change().ifPresent(d -> replicas = d.to());
            }
            if (history.isEmpty() || history.get(history.size() - 1) != replicas) {
                history.add(replicas);
            }
            return e.decisions();
        }

        List<Kind> kinds() {
            return decisions.stream().map(Decision::kind).toList();
        }

        Decision last() {
            return decisions.get(decisions.size() - 1);
        }
    }

    static Map<Trigger, Double> readings(double cpu, double memory, double queue, double p95) {
        Map<Trigger, Double> m = new EnumMap<>(Trigger.class);
        m.put(CPU, cpu);
        m.put(MEMORY, memory);
        m.put(QUEUE, queue);
        m.put(P95, p95);
        return m;
    }

    static Map<Trigger, Double> cpu(double cpu) {
        return readings(cpu, 50, 10, 200);
    }

    static long minutes(Decision d) {
        return Duration.between(T0, d.at()).toMinutes();
    }

    @Test
    void aSustainedBreachStepsUpAfterTheSustainWindowAndSaysWhy() {
        Sim sim = new Sim(2).run(Duration.ofSeconds(4 * 60 + 59), t -> cpu(84));
        assertThat(sim.decisions).isEmpty();
        sim.run(Duration.ofSeconds(15), t -> cpu(84));
        assertThat(sim.decisions).hasSize(1);
        Decision d = sim.last();
        assertThat(d.kind()).isEqualTo(Kind.SCALE_UP);
        assertThat(d.reason()).isEqualTo("cpu 84% > 70% for 5m: 2 -> 4");
        assertThat(minutes(d)).isEqualTo(5);
        assertThat(sim.replicas).isEqualTo(4);
    }

    @Test
    void briefBreachesAndFlappingNeverScale() {
        // Four minutes above, one below, for two hours: never sustained, and never calm enough to scale down.
        Sim sim = new Sim(4).run(Duration.ofHours(2), t -> cpu(t.toMinutes() % 5 == 4 ? 65 : 90));
        assertThat(sim.decisions).isEmpty();
        assertThat(sim.history).containsExactly(4);
        // A reading flapping around the threshold every 30s: the same.
        sim.run(Duration.ofHours(1), t -> cpu(t.toSeconds() % 60 < 30 ? 71 : 69));
        assertThat(sim.decisions).isEmpty();
    }

    @Test
    void anImprovementAfterTheStepKeepsTheNewCount() {
        Sim sim = new Sim(2).run(Duration.ofMinutes(30), t -> cpu(t.toMinutes() < 6 ? 84 : 61));
        assertThat(sim.kinds()).containsExactly(Kind.SCALE_UP, Kind.KEEP);
        assertThat(sim.decisions.get(1).reason()).isEqualTo("after 5m cpu 61% (was 84%): improved, keeping 4");
        assertThat(minutes(sim.decisions.get(1))).isEqualTo(10);
        assertThat(sim.history).containsExactly(2, 4);
    }

    @Test
    void aStepThatDoesNotHelpIsRepeatedUpToTheMaximumAndNeverPastIt() {
        Sim sim = new Sim(2).run(Duration.ofHours(2), t -> cpu(84 + t.toMinutes() / 10));
        assertThat(sim.history).containsExactly(2, 4, 6, 8, 10);
        assertThat(sim.kinds()).containsExactly(Kind.SCALE_UP, Kind.SCALE_UP, Kind.SCALE_UP, Kind.SCALE_UP, Kind.AT_BOUND);
        assertThat(sim.decisions.stream().map(ScalingPolicyTest::minutes)).containsExactly(5L, 10L, 15L, 20L, 25L);
        assertThat(sim.decisions.get(1).reason()).isEqualTo("after 5m cpu 85% (was 84%): not improved (cpu > 70%): 4 -> 6");
        assertThat(sim.last().reason()).endsWith("already at the maximum of 10 (AGENT_SCALING_MAX_REPLICAS)");
    }

    @Test
    void improvedButStillAboveKeepsAndNeedsAFullSustainBeforeTheNextStep() {
        // 95% -> 80% after the step: 16% lower counts as improved, yet still above 70%.
        Sim sim = new Sim(2).run(Duration.ofMinutes(21), t -> cpu(t.toMinutes() < 6 ? 95 : 80));
        assertThat(sim.kinds()).containsExactly(Kind.SCALE_UP, Kind.KEEP, Kind.SCALE_UP, Kind.SCALE_UP);
        assertThat(sim.decisions.stream().map(ScalingPolicyTest::minutes)).containsExactly(5L, 10L, 15L, 20L);
        assertThat(sim.decisions.get(1).reason()).isEqualTo("after 5m cpu 80% (was 95%): improved, keeping 4");
        assertThat(sim.decisions.get(2).reason()).isEqualTo("cpu 80% > 70% for 5m: 4 -> 6");
        // The second step's baseline is 80%: an unchanged 80% is no improvement, so the step is repeated.
        assertThat(sim.decisions.get(3).reason()).isEqualTo("after 5m cpu 80% (was 80%): not improved (cpu > 70%): 6 -> 8");
        assertThat(sim.history).containsExactly(2, 4, 6, 8);
    }

    @Test
    void missingReadingsAreNeverZeroAndNeverScale() {
        // No readings at all for two hours, starting well above min: no scale-down, no scale-up.
        Sim sim = new Sim(6).run(Duration.ofHours(2), t -> Map.of());
        assertThat(sim.decisions).isEmpty();
        // Only the utilisation readings missing, queue and p95 idle: still no scale-down.
        sim.run(Duration.ofHours(1), t -> Map.of(QUEUE, 0.0, P95, 10.0));
        assertThat(sim.decisions).isEmpty();
    }

    @Test
    void aShortGapInsideABreachKeepsTheRunALongGapForgetsIt() {
        // Above from 0, a 1m gap at 2m: the run survives and fires at 5m.
        Sim shortGap = new Sim(2).run(Duration.ofMinutes(6),
                t -> t.toSeconds() >= 120 && t.toSeconds() < 180 ? Map.of() : cpu(90));
        assertThat(shortGap.kinds()).containsExactly(Kind.SCALE_UP);
        assertThat(minutes(shortGap.last())).isEqualTo(5);
        // A 3m gap (longer than half the sustain window): the run restarts when readings return at 4m.
        Sim longGap = new Sim(2).run(Duration.ofMinutes(10),
                t -> t.toSeconds() >= 60 && t.toSeconds() < 240 ? Map.of() : cpu(90));
        assertThat(longGap.kinds()).containsExactly(Kind.SCALE_UP);
        assertThat(minutes(longGap.last())).isEqualTo(9);
    }

    @Test
    void noReadingAtTheEndOfTheWindowCannotProveTheStepFailed() {
        Sim sim = new Sim(2).run(Duration.ofMinutes(12), t -> t.toMinutes() < 6 ? cpu(84) : Map.of(MEMORY, 50.0));
        assertThat(sim.kinds()).containsExactly(Kind.SCALE_UP, Kind.KEEP);
        assertThat(sim.last().reason()).startsWith("after 5m cpu has no reading (no reading)")
                .endsWith("cannot judge without readings, keeping 4");
        assertThat(sim.replicas).isEqualTo(4);
    }

    @Test
    void latencyWithoutSaturationAndABusyRedisIsABottleneckNotAScaleUp() {
        Sim sim = new Sim(2);
        sim.redis = new RedisPressure(List.of("10.0.0.1:7000 p99 get 23.0ms >= 10ms"));
        sim.run(Duration.ofMinutes(30), t -> readings(40, 50, 12, 812));
        assertThat(sim.kinds()).containsExactly(Kind.REDIS_BOTTLENECK);
        assertThat(sim.last().reason()).isEqualTo("bottleneck: Redis: p95 812ms > 500ms for 5m while cpu 40% <= 70% and "
                + "queue 12 <= 100; Redis shows 10.0.0.1:7000 p99 get 23.0ms >= 10ms: not adding API pods; the remedy is Redis capacity"
                + " (one more shard: the Redis shard autoscaler, or POST /api/v1/cluster/nodes)");
        assertThat(sim.history).containsExactly(2);

        // Redis recovers but latency stays: now the API itself is the suspect, the strategy's step applies.
        sim.redis = RedisPressure.NONE;
        sim.run(Duration.ofSeconds(15), t -> readings(40, 50, 12, 812));
        assertThat(sim.last().kind()).isEqualTo(Kind.SCALE_UP);
        assertThat(sim.last().reason()).isEqualTo("p95 812ms > 500ms for 5m: 2 -> 4");
    }

    @Test
    void latencyWithSaturationScalesEvenWhenRedisIsBusy() {
        Sim sim = new Sim(2);
        sim.redis = new RedisPressure(List.of("10.0.0.1:7000 memory 95% of maxmemory"));
        sim.run(Duration.ofMinutes(6), t -> readings(85, 50, 12, 812));
        assertThat(sim.kinds()).containsExactly(Kind.SCALE_UP);
        assertThat(sim.last().reason()).isEqualTo("cpu 85% > 70% and p95 812ms > 500ms for 5m: 2 -> 4");
    }

    @Test
    void aLongCalmStepsDownConservativelyAndNeverBelowTheMinimum() {
        Map<Trigger, Double> idle = new EnumMap<>(Map.of(CPU, 20.0, MEMORY, 30.0, QUEUE, 0.0));
        Sim sim = new Sim(6).run(Duration.ofMinutes(29), t -> idle);
        assertThat(sim.decisions).isEmpty();
        sim.run(Duration.ofHours(3), t -> idle);
        assertThat(sim.history).containsExactly(6, 4, 2);
        Decision down = sim.decisions.get(0);
        assertThat(down.kind()).isEqualTo(Kind.SCALE_DOWN);
        assertThat(minutes(down)).isEqualTo(30);
        assertThat(down.reason()).isEqualTo("every reading below half its threshold for 30m "
                + "(cpu 20%, memory 30%, queue 0, p95 no reading): 6 -> 4");
        assertThat(sim.kinds()).containsExactly(Kind.SCALE_DOWN, Kind.KEEP, Kind.SCALE_DOWN, Kind.KEEP);
        assertThat(sim.decisions.get(1).reason()).isEqualTo("after 5m with the step down: cpu 20%, memory 30%, queue 0, "
                + "p95 no reading; keeping 4");
        // The second step needs a whole new calm window.
        assertThat(minutes(sim.decisions.get(2))).isEqualTo(60);
    }

    @Test
    void readingsBetweenHalfAndTheThresholdNeitherScaleUpNorDown() {
        Sim sim = new Sim(6).run(Duration.ofHours(3), t -> readings(50, 50, 10, 100));
        assertThat(sim.decisions).isEmpty();
    }

    @Test
    void aChangeMadeBySomeoneElseIsRespectedNotReverted() {
        Sim sim = new Sim(4).run(Duration.ofMinutes(1), t -> cpu(90));
        sim.replicas = 7; // kubectl scale, say
        sim.run(Duration.ofSeconds(15), t -> cpu(90));
        assertThat(sim.last().kind()).isEqualTo(Kind.EXTERNAL_CHANGE);
        assertThat(sim.last().reason()).isEqualTo("replicas changed outside the agent: 4 -> 7; watching for 5m before acting");
        // Hands off for the observation window, then one step from the new count.
        sim.run(Duration.ofMinutes(4), t -> cpu(90));
        assertThat(sim.replicas).isEqualTo(7);
        sim.run(Duration.ofMinutes(6), t -> cpu(90));
        assertThat(sim.history).containsExactly(4, 7, 9);
        assertThat(sim.state.contested(sim.now)).isFalse();
    }

    @Test
    void someoneWhoKeepsResettingTheCountMakesTheStateContestedSoTheAgentStopsFighting() {
        Sim sim = new Sim(2).run(Duration.ofMinutes(6), t -> cpu(90));
        assertThat(sim.replicas).isEqualTo(4);
        sim.replicas = 2; // a pipeline re-applies its manifest
        sim.run(Duration.ofMinutes(20), t -> cpu(90));
        sim.replicas = 2;
        sim.run(Duration.ofSeconds(15), t -> cpu(90));
        assertThat(sim.decisions.stream().filter(d -> d.kind() == Kind.EXTERNAL_CHANGE)).hasSize(2);
        assertThat(sim.state.contested(sim.now)).isTrue();
        assertThat(sim.last().reason()).contains("changed outside the agent 2 times within 1h: advising only");
        assertThat(sim.state.contestedUntil(sim.now)).isPresent();
        assertThat(sim.state.contested(sim.now.plus(Duration.ofHours(2)))).isFalse();
    }

    @Test
    void whenNotActingTheAdviceStaysRelativeToTheRealCount() {
        Sim sim = new Sim(2);
        sim.acting = false;
        sim.run(Duration.ofMinutes(30), t -> cpu(90));
        assertThat(sim.history).containsExactly(2);
        assertThat(sim.decisions).allSatisfy(d -> {
            assertThat(d.kind()).isEqualTo(Kind.SCALE_UP);
            assertThat(d.from()).isEqualTo(2);
            assertThat(d.to()).isEqualTo(4);
        });
        assertThat(sim.decisions.stream().map(ScalingPolicyTest::minutes)).containsExactly(5L, 10L, 15L, 20L, 25L);
    }

    @Test
    void aPausedDeploymentIsNeverResumed() {
        Sim sim = new Sim(0).run(Duration.ofMinutes(30), t -> cpu(95));
        assertThat(sim.kinds()).containsExactly(Kind.PAUSED);
        assertThat(sim.history).containsExactly(0);
    }

    @Test
    void aCountAlreadyAboveTheMaximumIsNotRaisedNorReportedTwice() {
        Sim sim = new Sim(12).run(Duration.ofMinutes(30), t -> cpu(95));
        assertThat(sim.kinds()).containsExactly(Kind.AT_BOUND);
        assertThat(sim.last().reason()).isEqualTo("cpu 95% > 70% for 5m: 12 is already above the maximum of 10");
        assertThat(sim.history).containsExactly(12);
    }

    @Test
    void formatting() {
        assertThat(ScalingPolicy.human(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(ScalingPolicy.human(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(ScalingPolicy.human(Duration.ofHours(1))).isEqualTo("1h");
        assertThat(ScalingPolicy.human(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(CPU.format(84.4)).isEqualTo("84%");
        assertThat(P95.format(812.2)).isEqualTo("812ms");
        assertThat(QUEUE.format(0.4)).isEqualTo("0.4");
        assertThat(QUEUE.format(0)).isEqualTo("0");
    }
}
