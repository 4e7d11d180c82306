package io.cahoots.agent.scaling.shard;

import io.cahoots.agent.scaling.shard.ShardDecision.Kind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shard policy over scripted readings: a small simulated cluster whose masters share a data set of {@code dataMiB}
 * (100 MiB maxmemory each) and {@code ops} operations per second; a step the policy decides is carried out by the
 * simulation in two ticks (the jobs), as the acting loop does.
 */
class ShardPolicyTest {

    static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    static final long MIB = 1L << 20;
    static final ShardLimits LIMITS = new ShardLimits(3, 5, 80, 10_000, 10, Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(30));

    final ShardPolicy policy = new ShardPolicy(LIMITS);

    final class Sim {
        Instant now = T0;
        ShardState state = ShardState.INITIAL;
        int masters = 3;
        double dataMiB = 120;
        double ops = 3_000;
        long otherMaxMiB = 100;
        Double latencyMs = 1.0;
        boolean memoryRead = true;
        boolean clusterOk = true;
        boolean outsideJob;
        boolean acting = true;
        boolean failSteps;
        int stepTicks = -1;
        final List<ShardDecision> decisions = new ArrayList<>();
        final List<Integer> history = new ArrayList<>();

        ShardSample sample() {
            Map<ShardTrigger, Double> values = new EnumMap<>(ShardTrigger.class);
            Map<ShardTrigger, String> missing = new EnumMap<>(ShardTrigger.class);
            if (memoryRead) {
                values.put(ShardTrigger.MEMORY, dataMiB / masters);
            } else {
                missing.put(ShardTrigger.MEMORY, "2 master(s) not read");
            }
            values.put(ShardTrigger.OPS, ops / masters);
            if (latencyMs == null) {
                missing.put(ShardTrigger.LATENCY, "no command in the recent window");
            } else {
                values.put(ShardTrigger.LATENCY, latencyMs);
            }
            long used = (long) (dataMiB * MIB);
            ShardSample.Headroom h = memoryRead ? new ShardSample.Headroom(Optional.of("n" + masters), "127.0.0.1:700" + masters, used,
                    used / masters, (masters - 1) * otherMaxMiB * MIB, ops, Optional.empty()) : ShardSample.Headroom.unknown("2 master(s) not read");
            return new ShardSample(now, masters, clusterOk, outsideJob || stepTicks >= 0, values, missing, h);
        }

        /** Evaluates every 10 s for {@code seconds}. */
        void run(int seconds) {
            if (history.isEmpty()) {
                history.add(masters);
            }
            for (int t = 0; t < seconds; t += 10) {
                ShardPolicy.Evaluation e = policy.evaluate(state, sample(), acting);
                state = e.state();
                decisions.addAll(e.decisions());
                if (acting && e.step().isPresent()) {
                    stepTicks = 2;
                }
                if (stepTicks == 0) {
                    if (failSteps) {
                        ShardPolicy.Evaluation f = policy.stepFailed(state, now, "spare node 127.0.0.1:7100 refused CLUSTER MEET");
                        state = f.state();
                        decisions.addAll(f.decisions());
                    } else {
                        masters = state.stepping().orElseThrow().to();
                        history.add(masters);
                    }
                }
                stepTicks = stepTicks >= 0 ? stepTicks - 1 : -1;
                now = now.plusSeconds(10);
            }
        }

        List<String> reasons() {
            return decisions.stream().map(ShardDecision::reason).toList();
        }

        List<Kind> kinds() {
            return decisions.stream().map(ShardDecision::kind).toList();
        }
    }

    @Test
    void memoryAboveItsThresholdForTheSustainWindowAddsOneShard() {
        Sim sim = new Sim();
        sim.dataMiB = 270; // 90% on each of 3 masters
        sim.run(50);
        assertThat(sim.decisions).isEmpty();
        sim.run(40);
        assertThat(sim.history).containsExactly(3, 4);
        assertThat(sim.reasons()).containsExactly("memory 90% > 80% for 1m: one more shard, 3 -> 4 masters, then a rebalance");
    }

    @Test
    void aStepThatHelpedIsKeptAndOneThatDidNotIsRepeatedUpToTheMaximum() {
        Sim sim = new Sim();
        sim.dataMiB = 270;
        sim.run(600); // 3 -> 4 and the window: 270/4 = 67.5% -> improved
        assertThat(sim.history).containsExactly(3, 4);
        assertThat(sim.reasons()).contains("after 5m memory 68% (was 90%): improved, keeping 4");

        Sim load = new Sim();
        load.ops = 36_000; // 12,000 per master; the step does not help if the load grows with it
        load.run(100);
        assertThat(load.history).containsExactly(3, 4);
        load.ops = 60_000; // 15,000 per master on 4
        load.run(400);
        assertThat(load.history).containsExactly(3, 4, 5);
        assertThat(load.reasons()).anyMatch(r -> r.startsWith("after 5m ops/s per master 15000 (was 12000): not improved "
                + "(ops/s per master > 10000): one more shard, 4 -> 5"));
        load.ops = 80_000;
        load.run(1200);
        assertThat(load.history).containsExactly(3, 4, 5);
        assertThat(load.kinds()).containsOnlyOnce(Kind.AT_BOUND);
        assertThat(load.reasons()).anyMatch(r -> r.endsWith("already at the maximum of 5 masters (AGENT_REDIS_SCALING_MAX_MASTERS)"));
    }

    @Test
    void aLongCalmWithHeadroomDrainsOneShardButNeverBelowTheMinimum() {
        Sim sim = new Sim();
        sim.masters = 5;
        sim.dataMiB = 50; // 10% each; 50 MiB fits in 4 x 100 MiB
        sim.run(29 * 60);
        assertThat(sim.decisions).isEmpty();
        sim.run(90);
        assertThat(sim.history).containsExactly(5, 4);
        assertThat(sim.decisions).first().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Kind.SCALE_IN);
            assertThat(d.drain()).contains("n5");
            assertThat(d.reason()).startsWith("calm for 30m (memory 10%, ops/s per master 600, latency 1ms); 127.0.0.1:7005 (10.0 MiB)"
                    + " fits in the others' room: draining it, 5 -> 4");
        });
        sim.run(6 * 3600);
        assertThat(sim.history).containsExactly(5, 4, 3).as("never below 3");
    }

    @Test
    void aCalmWithoutRoomForTheDrainedDataIsReportedOnceAndNothingIsDrained() {
        Sim sim = new Sim();
        sim.masters = 4;
        sim.dataMiB = 100; // calm, but the others are smaller nodes: 100 MiB in 3 x 50 MiB would be 67% > 60%
        sim.otherMaxMiB = 50;
        sim.run(3 * 3600);
        assertThat(sim.history).containsExactly(4);
        assertThat(sim.kinds()).containsExactly(Kind.NO_HEADROOM);
        assertThat(sim.reasons().get(0)).endsWith("but not scaling in: without 127.0.0.1:7004 the others would hold 100.0 MiB in"
                + " 150.0 MiB of maxmemory, 67% > 60% (75% of the 80% threshold)");
        sim.otherMaxMiB = 100; // room again: the drain goes ahead
        sim.run(60);
        assertThat(sim.history).containsExactly(4, 3);
    }

    @Test
    void noStepWhileAJobRunsOrTheClusterIsNotOkAndItComesWhenThatClears() {
        Sim sim = new Sim();
        sim.dataMiB = 270;
        sim.outsideJob = true;
        sim.run(300);
        assertThat(sim.history).containsExactly(3);
        assertThat(sim.reasons()).containsExactly("memory 90% > 80% for 1m: one more shard waits, a job is running");
        sim.outsideJob = false;
        sim.clusterOk = false;
        sim.run(300);
        assertThat(sim.reasons()).hasSize(1); // still held, said once
        sim.clusterOk = true;
        sim.run(40);
        assertThat(sim.history).containsExactly(3, 4);
    }

    @Test
    void aLoadThatCrossesTheThresholdFasterThanTheSustainWindowNeverSteps() {
        Random random = new Random(14);
        Sim sim = new Sim();
        for (int i = 0; i < 360; i++) { // an hour of a load flapping around 80%
            sim.dataMiB = random.nextBoolean() ? 270 : 210;
            int breach = 1 + random.nextInt(5); // under a minute above
            for (int k = 0; k < breach && sim.dataMiB > 240; k++) {
                sim.run(10);
            }
            sim.dataMiB = 210;
            sim.run(10);
        }
        assertThat(sim.history).containsExactly(3);
        assertThat(sim.decisions).isEmpty();
    }

    @Test
    void missingReadingsNeitherStepNorDrainAndALongGapForgetsTheRun() {
        Sim sim = new Sim();
        sim.dataMiB = 270;
        sim.run(40);
        sim.memoryRead = false;
        sim.run(50); // a gap longer than half the sustain window forgets the run
        sim.memoryRead = true;
        sim.run(50);
        assertThat(sim.history).containsExactly(3);
        sim.run(40);
        assertThat(sim.history).containsExactly(3, 4);

        Sim calm = new Sim();
        calm.masters = 4;
        calm.dataMiB = 40;
        calm.memoryRead = false;
        calm.run(2 * 3600);
        assertThat(calm.decisions).isEmpty(); // no memory reading is no proof of calm
        calm.memoryRead = true;
        calm.latencyMs = null; // no traffic gives no latency: calm nonetheless
        calm.run(31 * 60);
        assertThat(calm.kinds()).containsExactly(Kind.SCALE_IN);
    }

    @Test
    void dryRunSaysWhatItWouldDoOncePerWindowAndChangesNothing() {
        Sim sim = new Sim();
        sim.acting = false;
        sim.dataMiB = 270;
        sim.run(20 * 60);
        assertThat(sim.history).containsExactly(3);
        assertThat(sim.kinds()).containsOnly(Kind.SCALE_OUT).hasSize(4); // at 1m, then after each 5m window
        assertThat(sim.reasons().get(1)).startsWith("after 5m memory 90% (was 90%): not improved");
    }

    @Test
    void aFailedStepIsSaidAndRetriedOnlyAfterAFullSustainWindow() {
        Sim sim = new Sim();
        sim.dataMiB = 270;
        sim.failSteps = true;
        sim.run(100);
        assertThat(sim.kinds()).containsExactly(Kind.SCALE_OUT, Kind.STEP_FAILED);
        assertThat(sim.reasons().get(1)).isEqualTo("scale-out 3 -> 4 failed: spare node 127.0.0.1:7100 refused CLUSTER MEET");
        sim.failSteps = false;
        sim.run(50);
        assertThat(sim.history).containsExactly(3);
        sim.run(40);
        assertThat(sim.history).containsExactly(3, 4);
    }

    @Test
    void mastersChangedOutsideTheAgentAreWatchedBeforeActing() {
        Sim sim = new Sim();
        sim.run(20);
        sim.masters = 4;
        sim.dataMiB = 360;
        sim.run(280);
        assertThat(sim.kinds()).containsExactly(Kind.EXTERNAL_CHANGE);
        assertThat(sim.reasons().get(0)).isEqualTo("masters changed outside the agent: 3 -> 4; watching for 5m before acting");
        sim.run(100);
        assertThat(sim.kinds()).contains(Kind.KEEP, Kind.SCALE_OUT);
    }
}
