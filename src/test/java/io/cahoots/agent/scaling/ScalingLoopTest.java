package io.cahoots.agent.scaling;

import io.cahoots.agent.config.ScalingConfig;
import io.cahoots.agent.config.ScalingSettings;
import io.cahoots.agent.scaling.ScalingStatus.Mode;
import io.cahoots.agent.scaling.decision.Decision;
import io.cahoots.agent.scaling.decision.RedisPressure;
import io.cahoots.agent.scaling.decision.Sample;
import io.cahoots.agent.scaling.decision.Trigger;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The supervisor's evaluation with fakes around it: modes, the lease, failures, what it reports. */
class ScalingLoopTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-05T10:00:00Z"));
    final FakeTarget target = new FakeTarget();
    final FakeLeadership leadership = new FakeLeadership();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    double cpu = 90;

    static ScalingSettings settings(Map<String, String> extra) {
        Map<String, String> p = new HashMap<>(Map.of("agent.scaling.enabled", "true",
                "agent.scaling.prometheus-url", "http://127.0.0.1:9", "agent.scaling.sustain", "1m",
                "agent.scaling.observe", "1m", "agent.scaling.interval", "10s", "agent.scaling.scale-down-after", "1h"));
        p.putAll(extra);
        return ScalingSettings.from(new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(p, "test", 500))
                .withMapping(ScalingConfig.class).build().getConfigMapping(ScalingConfig.class));
    }

    ScalingLoop loop(Map<String, String> extra) {
        ReadingSource readings = () -> Sample.of(clock.instant(), Map.of(Trigger.CPU, cpu, Trigger.MEMORY, 40.0));
        return new ScalingLoop(settings(extra), "shop", readings, target, leadership, () -> RedisPressure.NONE,
                new ScalingMetrics(registry), clock);
    }

    /** Ticks every 10s for {@code seconds}. */
    ScalingStatus run(ScalingLoop loop, int seconds) {
        ScalingStatus s = null;
        for (int t = 0; t <= seconds; t += 10) {
            s = loop.tick();
            clock.advance(Duration.ofSeconds(10));
        }
        return s;
    }

    @Test
    void activeModeScalesTheDeploymentAndExplains() {
        ScalingLoop loop = loop(Map.of());
        ScalingStatus s = run(loop, 50);
        assertThat(s.mode()).isEqualTo(Mode.ACTIVE);
        assertThat(s.triggers().get(0).state()).isEqualTo("breaching since 10:00:00 (fires at 10:01:00)");
        assertThat(s.triggers().get(2).state()).isEqualTo("no reading: no reading");
        s = run(loop, 10);
        assertThat(target.calls).containsExactly("2->4");
        assertThat(s.currentReplicas()).hasValue(4);
        assertThat(s.desiredReplicas()).hasValue(4);
        assertThat(s.phase()).isEqualTo("observing 2 -> 4 until 10:02:00");
        assertThat(s.decisions()).singleElement().satisfies(r -> {
            assertThat(r.applied()).isTrue();
            assertThat(r.mode()).isEqualTo(Mode.ACTIVE);
            assertThat(r.decision().reason()).isEqualTo("cpu 90% > 70% for 1m: 2 -> 4");
        });
        assertThat(registry.get("cahoots.scaling.decisions").tag("kind", "scale-up").tag("applied", "true").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("cahoots.scaling.replicas.current").gauge().value()).isEqualTo(4);
        assertThat(registry.get("cahoots.scaling.reading.utilization").tag("trigger", "cpu").gauge().value()).isEqualTo(0.9);
        assertThat(registry.get("cahoots.scaling.reading.queue").tag("trigger", "queue").gauge().value()).isNaN();
        // Load persists: the next step after the observation window, and so on up to the maximum only.
        run(loop, 600);
        assertThat(target.calls).containsExactly("2->4", "4->6", "6->8", "8->10");
        assertThat(loop.status().decisions().get(0).decision().kind()).isEqualTo(Decision.Kind.AT_BOUND);
    }

    @Test
    void dryRunDecidesAndReportsButNeverPatches() {
        ScalingLoop loop = loop(Map.of("agent.scaling.dry-run", "true"));
        ScalingStatus s = run(loop, 60);
        assertThat(target.calls).isEmpty();
        assertThat(s.mode()).isEqualTo(Mode.DRY_RUN);
        assertThat(s.currentReplicas()).hasValue(2);
        assertThat(s.desiredReplicas()).hasValue(4);
        assertThat(s.decisions()).singleElement().satisfies(r -> assertThat(r.applied()).isFalse());
    }

    @Test
    void anAutoscalerOnTheDeploymentMakesItAdvisory() {
        target.handsOff = Optional.of("HorizontalPodAutoscaler api targets Deployment shop/cahoots-api: advising only");
        ScalingStatus s = run(loop(Map.of()), 120);
        assertThat(s.mode()).isEqualTo(Mode.ADVISORY);
        assertThat(s.modeReason()).startsWith("HorizontalPodAutoscaler api targets");
        assertThat(target.calls).isEmpty();
        assertThat(s.decisions()).isNotEmpty().allSatisfy(r -> assertThat(r.applied()).isFalse());
    }

    @Test
    void aReplicaWithoutTheLeaseStandsBy() {
        leadership.leading = false;
        ScalingStatus s = run(loop(Map.of()), 120);
        assertThat(s.mode()).isEqualTo(Mode.STANDBY);
        assertThat(s.modeReason()).endsWith("agent-other");
        assertThat(target.reads).isZero();
        assertThat(target.calls).isEmpty();
    }

    @Test
    void aFailedPatchIsRetriedAtTheNextEvaluationAndReportedOnce() {
        ScalingLoop loop = loop(Map.of());
        target.failures = 3;
        run(loop, 100);
        assertThat(target.replicas).isEqualTo(4); // failed at 60s, 70s, 80s; applied at 90s
        List<ScalingStatus.RecordedDecision> d = loop.status().decisions();
        assertThat(d).hasSize(2);
        assertThat(d.get(1).failure()).hasValueSatisfying(f -> assertThat(f).endsWith("answered 503: API server unavailable"));
        assertThat(d.get(1).applied()).isFalse();
        assertThat(d.get(0).applied()).isTrue();
        assertThat(registry.get("cahoots.scaling.patch.failures").counter().count()).isEqualTo(3);
    }

    @Test
    void anUnreadableDeploymentIsReportedAsAnError() {
        target.readError = "Deployment shop/cahoots-api not found";
        ScalingStatus s = run(loop(Map.of()), 30);
        assertThat(s.error()).contains("Deployment shop/cahoots-api not found");
        assertThat(s.decisions()).isEmpty();
        target.readError = null;
        assertThat(run(loop(Map.of()), 0).error()).isEmpty();
    }

    @Test
    void someoneResettingTheCountTwiceMakesItAdvisory() {
        ScalingLoop loop = loop(Map.of());
        run(loop, 60);
        target.replicas = 2;
        run(loop, 200);
        target.replicas = 2;
        ScalingStatus s = run(loop, 10);
        assertThat(s.mode()).isEqualTo(Mode.ADVISORY);
        assertThat(s.modeReason()).startsWith("replicas were changed outside the agent 2 times within 1h: advising only until");
    }

    @Test
    void aReplicaThatRegainsTheLeaseStartsAfreshInsteadOfSeeingAnOutsideChange() {
        ScalingLoop loop = loop(Map.of());
        run(loop, 60);
        assertThat(target.replicas).isEqualTo(4);
        leadership.leading = false;
        run(loop, 30);
        target.replicas = 8; // the other replica led meanwhile
        leadership.leading = true;
        ScalingStatus s = run(loop, 50);
        assertThat(s.mode()).isEqualTo(Mode.ACTIVE);
        assertThat(s.decisions()).noneMatch(r -> r.decision().kind() == Decision.Kind.EXTERNAL_CHANGE);
        assertThat(target.calls).containsExactly("2->4"); // and a full sustain window before its next step
    }

    static final class FakeTarget implements ReplicaTarget {
        int replicas = 2;
        Optional<String> handsOff = Optional.empty();
        int failures;
        int reads;
        String readError;
        final List<String> calls = new ArrayList<>();

        @Override
        public String describe() {
            return "shop/cahoots-api";
        }

        @Override
        public State read() {
            reads++;
            if (readError != null) {
                throw new ScalingException(readError, true);
            }
            return new State(replicas, handsOff);
        }

        @Override
        public void scale(int from, int to) {
            if (failures > 0) {
                failures--;
                throw new ScalingException("PATCH shop/cahoots-api/scale answered 503: API server unavailable", true);
            }
            calls.add(from + "->" + to);
            replicas = to;
        }
    }

    static final class FakeLeadership implements Leadership {
        boolean leading = true;

        @Override
        public String identity() {
            return "agent-me";
        }

        @Override
        public boolean lead() {
            return leading;
        }

        @Override
        public Optional<String> holder() {
            return Optional.of(leading ? "agent-me" : "agent-other");
        }

        @Override
        public void release() {
        }
    }
}
