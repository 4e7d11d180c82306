package io.cahoots.agent.api;

import io.cahoots.agent.config.PolicySettings;
import io.cahoots.agent.caching.AuditReport;
import io.cahoots.agent.caching.Correction;
import io.cahoots.agent.caching.MemoryDrift;
import io.cahoots.agent.caching.PolicyRedis.MemoryState;
import io.cahoots.agent.caching.PolicyStatus;

import java.time.Instant;
import java.util.List;

/**
 * The body of {@code GET /api/v1/policy}: the expected policy, per data node the configured vs expected memory
 * policy and (masters) the TTL audit per pattern, and what enforcement changed. Absent values are {@code null}.
 */
public record PolicyView(
        Expected expected,
        boolean enforce,
        Instant checkedAt,
        List<String> sources,
        int nodesChecked,
        int nodesDrifting,
        List<NodeView> nodes,
        AuditView audit,
        List<CorrectionView> corrections) {

    public record Expected(String maxmemory, long maxmemoryBytes, String maxmemoryPolicy, List<PatternView> ttlPatterns) {
    }

    public record PatternView(String pattern, long ttlSeconds) {
    }

    /**
     * @param drift  the settings that differ from {@code expected}: {@code maxmemory-policy}, {@code maxmemory}
     * @param ok     readable and no drift
     * @param error  why the node's settings could not be read
     * @param audit  masters only: per pattern, the TTL audit
     */
    public record NodeView(String address, String group, String role, String nodeId, Long maxmemoryBytes,
                           String maxmemory, String maxmemoryPolicy, Long usedMemoryBytes, List<String> drift, boolean ok,
                           String error, List<PatternAuditView> audit, String auditError, Instant auditedAt) {
    }

    /**
     * @param cursor where the next cycle resumes ("0" between passes)
     * @param passes complete SCAN passes over the node
     */
    public record PatternAuditView(String pattern, long ttlSeconds, String cursor, long passes, CountsView current,
                                   CountsView lastPass, CountsView total) {
    }

    public record CountsView(Instant startedAt, Instant completedAt, long keysExamined, long keysMatched,
                             long withoutTtl, long beyondTtl, long corrected, List<ExampleView> examples) {
    }

    /** @param ttl -1: no TTL; else the TTL in seconds when found */
    public record ExampleView(String key, long ttl) {
    }

    /** @param budgetKeysPerNode keys each master is asked to examine per cycle, over all patterns */
    public record AuditView(boolean enabled, long budgetKeysPerNode, String interval, long cycles, Instant lastCycleAt) {
    }

    public record CorrectionView(Instant at, String node, String setting, String pattern, String from, String to,
                                 long keys, String outcome, String detail) {
    }

    static PolicyView of(PolicyStatus s) {
        PolicySettings p = s.settings();
        List<NodeView> nodes = s.nodes().stream().map(PolicyView::node).toList();
        return new PolicyView(
                new Expected(PolicySettings.formatMemory(p.maxmemoryBytes()), p.maxmemoryBytes(), p.maxmemoryPolicy(),
                        p.ttlPatterns().stream().map(t -> new PatternView(t.pattern(), t.ttlSeconds())).toList()),
                p.enforce(),
                s.checkedAt().orElse(null),
                sources(s),
                nodes.size(),
                (int) nodes.stream().filter(n -> !n.drift().isEmpty()).count(),
                nodes,
                new AuditView(p.auditEnabled(), p.auditBudget(), p.auditInterval().toString(), s.audit().cycles(),
                        s.audit().lastCycleAt().orElse(null)),
                s.corrections().stream().map(PolicyView::correction).toList());
    }

    private static List<String> sources(PolicyStatus s) {
        if (s.clusterChecked() && s.sentinelChecked()) {
            return List.of("cluster", "sentinel");
        }
        return s.clusterChecked() ? List.of("cluster") : List.of("sentinel");
    }

    private static NodeView node(PolicyStatus.NodeStatus n) {
        MemoryDrift.NodeCheck c = n.check();
        MemoryState m = c.node().state().orElse(null);
        AuditReport a = n.audit().orElse(null);
        return new NodeView(c.node().address().toString(), c.node().group(), c.node().role(), c.node().nodeId().orElse(null),
                m == null ? null : m.maxmemoryBytes(), m == null ? null : PolicySettings.formatMemory(m.maxmemoryBytes()),
                m == null ? null : m.maxmemoryPolicy(), m == null ? null : m.usedMemoryBytes(),
                c.drifted(), c.ok(), c.node().error().orElse(null),
                a == null ? List.of() : a.patterns().stream().map(PolicyView::pattern).toList(),
                a == null ? null : a.error().orElse(null), a == null ? null : a.lastCycleAt().orElse(null));
    }

    private static PatternAuditView pattern(AuditReport.PatternReport r) {
        return new PatternAuditView(r.pattern(), r.ttlSeconds(), r.cursor(), r.passes(), counts(r.current()),
                r.lastPass().map(PolicyView::counts).orElse(null), counts(r.total()));
    }

    private static CountsView counts(AuditReport.PassCounts c) {
        return new CountsView(c.startedAt(), c.completedAt().orElse(null), c.examined(), c.returned(), c.withoutTtl(),
                c.beyondTtl(), c.corrected(), c.examples().stream().map(e -> new ExampleView(e.key(), e.ttl())).toList());
    }

    private static CorrectionView correction(Correction c) {
        return new CorrectionView(c.at(), c.node().toString(), c.setting(), c.pattern().orElse(null), c.from().orElse(null),
                c.to(), c.keys(), c.outcome(), c.detail());
    }
}
