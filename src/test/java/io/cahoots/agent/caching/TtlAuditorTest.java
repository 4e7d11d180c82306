package io.cahoots.agent.caching;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.PolicySettings;
import io.cahoots.agent.config.PolicySettings.TtlPattern;
import io.cahoots.agent.caching.AuditReport.PatternReport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit's algorithm over an in-memory keyspace: budget, resumed cursors, findings, enforcement, failures. */
class TtlAuditorTest {

    static final HostPort A = HostPort.parse("127.0.0.1:7000");
    static final HostPort B = HostPort.parse("127.0.0.1:7001");
    static final List<TtlPattern> PATTERNS = List.of(new TtlPattern("api:cache:*", 300), new TtlPattern("user:session:*", 3600));
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);

    final FakePolicyRedis redis = new FakePolicyRedis();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    TtlAuditor auditor(int budget, boolean enforce) {
        PolicySettings s = new PolicySettings(2L << 30, "allkeys-lru", PATTERNS, enforce, Duration.ofSeconds(10), budget);
        return new TtlAuditor(redis, s, new PolicyMetrics(registry, s), CLOCK);
    }

    /** 1000 keys on A: every 10th cache key has no TTL, every 10th session key a TTL beyond 3600. */
    void seed() {
        for (int i = 0; i < 500; i++) {
            redis.put(A, String.format("api:cache:%04d", i), i % 10 == 0 ? -1 : 100);
            redis.put(A, String.format("user:session:%04d", i), i % 10 == 0 ? 7200 : 3000);
        }
    }

    static PatternReport pattern(AuditReport r, String p) {
        return r.patterns().stream().filter(x -> x.pattern().equals(p)).findFirst().orElseThrow();
    }

    @Test
    void eachCycleAsksANodeForExactlyItsBudgetAndResumesWhereItStopped() {
        seed();
        TtlAuditor a = auditor(300, false);
        a.cycle(List.of(new TtlAuditor.Target(A, NodeMemory.CLUSTER)));
        Map<String, Integer> spent = redis.scans.stream().collect(Collectors.groupingBy(FakePolicyRedis.Scan::pattern,
                Collectors.summingInt(FakePolicyRedis.Scan::count)));
        assertThat(spent).containsEntry("api:cache:*", 150).containsEntry("user:session:*", 150);
        assertThat(redis.scans).allSatisfy(s -> assertThat(s.count()).isLessThanOrEqualTo(AuditBudget.SCAN_BATCH));
        assertThat(redis.ttlCalls).isLessThanOrEqualTo(300);

        int before = redis.scans.size();
        a.cycle(List.of(new TtlAuditor.Target(A, NodeMemory.CLUSTER)));
        FakePolicyRedis.Scan resumed = redis.scans.get(before);
        assertThat(resumed.cursor()).isEqualTo("150"); // the cursor the first cycle ended on
        assertThat(redis.scans.subList(before, redis.scans.size()).stream().mapToInt(FakePolicyRedis.Scan::count).sum())
                .isEqualTo(300);
    }

    @Test
    void aFullPassFindsEveryOffenderOncePerPattern() {
        seed();
        TtlAuditor a = auditor(300, false);
        // 1000 keys, 150 per pattern per cycle: 7 cycles complete a pass for each pattern.
        for (int i = 0; i < 7; i++) {
            a.cycle(List.of(new TtlAuditor.Target(A, NodeMemory.CLUSTER)));
        }
        AuditReport r = a.report(A).orElseThrow();
        PatternReport cache = pattern(r, "api:cache:*");
        assertThat(cache.passes()).isEqualTo(1);
        assertThat(cache.cursor()).isEqualTo("0");
        assertThat(cache.lastPass()).hasValueSatisfying(p -> {
            assertThat(p.examined()).isEqualTo(1000);
            assertThat(p.returned()).isEqualTo(500);
            assertThat(p.withoutTtl()).isEqualTo(50);
            assertThat(p.beyondTtl()).isZero();
            assertThat(p.corrected()).isZero();
            assertThat(p.examples()).hasSize(PatternCursor.EXAMPLES).first()
                    .satisfies(e -> assertThat(e).isEqualTo(new AuditReport.Example("api:cache:0000", -1)));
            assertThat(p.completedAt()).contains(CLOCK.instant());
        });
        assertThat(pattern(r, "user:session:*").lastPass()).hasValueSatisfying(p -> {
            assertThat(p.beyondTtl()).isEqualTo(50);
            assertThat(p.withoutTtl()).isZero();
        });
        assertThat(registry.get("cahoots.policy.ttl.violations").tags("pattern", "api:cache:*", "kind", "no-ttl")
                .counter().count()).isEqualTo(50);
        assertThat(registry.get("cahoots.policy.audit.passes").tags("pattern", "user:session:*").counter().count()).isEqualTo(1);
        // Nothing was changed: enforcement is off.
        assertThat(redis.ttl(A, "api:cache:0000")).isEqualTo(-1);
    }

    @Test
    void aCompletedPassWaitsForTheNextCycle() {
        redis.put(A, "api:cache:1", -1);
        TtlAuditor a = auditor(1000, false);
        a.cycle(List.of(new TtlAuditor.Target(A, NodeMemory.CLUSTER)));
        // A one-key node: one SCAN per pattern ends the pass; the rest of the budget is not spent re-scanning.
        assertThat(redis.scans).hasSize(2);
        assertThat(pattern(a.report(A).orElseThrow(), "api:cache:*").passes()).isEqualTo(1);
    }

    @Test
    void enforcementGivesOffendersThePatternsTtlAndNeverLengthensOne() {
        seed();
        redis.put(A, "api:cache:short", 5);
        TtlAuditor a = auditor(100_000, true);
        List<TtlAuditor.TtlCorrection> done = a.cycle(List.of(new TtlAuditor.Target(A, NodeMemory.CLUSTER)));
        assertThat(done).containsExactlyInAnyOrder(new TtlAuditor.TtlCorrection(A, "api:cache:*", 300, 50),
                new TtlAuditor.TtlCorrection(A, "user:session:*", 3600, 50));
        assertThat(redis.ttl(A, "api:cache:0000")).isEqualTo(300);
        assertThat(redis.ttl(A, "user:session:0000")).isEqualTo(3600);
        assertThat(redis.ttl(A, "api:cache:short")).isEqualTo(5);
        assertThat(registry.get("cahoots.policy.corrections").tags("setting", "ttl", "outcome", "applied").counter().count())
                .isEqualTo(100);
        // The next pass finds nothing left to correct.
        assertThat(a.cycle(List.of(new TtlAuditor.Target(A, NodeMemory.CLUSTER)))).isEmpty();
        assertThat(pattern(a.report(A).orElseThrow(), "api:cache:*").lastPass().orElseThrow().withoutTtl()).isZero();
    }

    @Test
    void aFailingNodeKeepsItsCursorAndReportsWhileTheOthersGoOn() {
        seed();
        for (int i = 0; i < 10; i++) {
            redis.put(B, "api:cache:b" + i, -1);
        }
        TtlAuditor a = auditor(200, false);
        List<TtlAuditor.Target> both = List.of(new TtlAuditor.Target(A, NodeMemory.CLUSTER), new TtlAuditor.Target(B, NodeMemory.CLUSTER));
        a.cycle(both);
        redis.down.add(A);
        a.cycle(both);
        assertThat(a.report(A).orElseThrow().error()).hasValueSatisfying(e -> assertThat(e).contains("Connection refused"));
        assertThat(pattern(a.report(A).orElseThrow(), "api:cache:*").cursor()).isEqualTo("100");
        assertThat(pattern(a.report(B).orElseThrow(), "api:cache:*").total().withoutTtl()).isEqualTo(20); // 2 passes
        redis.down.clear();
        int before = redis.scans.size();
        a.cycle(both);
        assertThat(redis.scans.get(before).cursor()).isEqualTo("100");
        assertThat(a.report(A).orElseThrow().error()).isEmpty();
    }

    @Test
    void aNodeThatIsNoLongerAMasterIsForgotten() {
        seed();
        TtlAuditor a = auditor(200, false);
        a.cycle(List.of(new TtlAuditor.Target(A, NodeMemory.CLUSTER)));
        a.cycle(List.of(new TtlAuditor.Target(B, NodeMemory.CLUSTER)));
        assertThat(a.report(A)).isEmpty();
        a.cycle(List.of(new TtlAuditor.Target(A, NodeMemory.CLUSTER)));
        assertThat(pattern(a.report(A).orElseThrow(), "api:cache:*").total().examined()).isEqualTo(100); // afresh
        assertThat(a.cycles()).isEqualTo(3);
    }
}
