package io.cahoots.agent.caching;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.PolicySettings;
import io.cahoots.agent.config.PolicySettings.TtlPattern;
import io.cahoots.agent.caching.PolicyRedis.ScanPage;
import io.cahoots.agent.redis.RedisException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The bounded TTL audit: samples each master's keys per pattern and finds keys without a TTL or with one beyond
 * their pattern's. One {@link #cycle} (the caller runs it on its own thread, never the event loop):
 * <ol>
 *   <li>Forget the cursors of nodes that are no longer masters; new masters start at cursor 0.</li>
 *   <li>Split the per-node budget among the patterns ({@link AuditBudget#shares}), rotating the remainder.</li>
 *   <li>Per master and pattern, until its share is spent: {@code SCAN cursor MATCH pattern COUNT n} with
 *       n = min(100, share left), then one pipelined {@code TTL} per returned key. The COUNTs of a node add up to the
 *       budget exactly, so each cycle asks each master to examine at most {@code AGENT_POLICY_AUDIT_BUDGET} keys;
 *       Redis itself caps one call at 10 x COUNT buckets, so even a sparse pattern cannot make a call long.</li>
 *   <li>A returned key with TTL -1 (none) or above the pattern's TTL is an offender: counted, the first few kept as
 *       examples. With enforcement on, offenders get {@code EXPIRE key ttl LT} in one pipeline, which only ever
 *       shortens an expiry.</li>
 *   <li>The cursor is kept for the next cycle; cursor 0 ends a pass, which then waits for the next cycle, so a small
 *       keyspace is not re-scanned in a loop.</li>
 *   <li>A node that fails (unreachable, an error) keeps its cursors and its error is reported; the other nodes go
 *       on.</li>
 * </ol>
 * SCAN's guarantee applies: a key present during a whole pass is seen at least once in that pass (maybe twice
 * while Redis resizes its table, so counts can include a key twice).
 */
final class TtlAuditor {

    /** A master to audit. */
    record Target(HostPort address, String group) {
    }

    /** Keys of one pattern on one node that got the pattern's TTL during one cycle. */
    record TtlCorrection(HostPort node, String pattern, long ttlSeconds, long keys) {
    }

    private final PolicyRedis redis;
    private final PolicySettings settings;
    private final PolicyMetrics metrics;
    private final Clock clock;
    private final Object lock = new Object();
    private final Map<HostPort, NodeAudit> nodes = new LinkedHashMap<>();
    private long rotation;
    private long cycles;
    private Optional<Instant> lastCycleAt = Optional.empty();

    TtlAuditor(PolicyRedis redis, PolicySettings settings, PolicyMetrics metrics, Clock clock) {
        this.redis = redis;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Runs one cycle over {@code targets}; returns the TTL corrections it made. */
    List<TtlCorrection> cycle(List<Target> targets) {
        long t0 = System.nanoTime();
        Set<HostPort> wanted = targets.stream().map(Target::address).collect(Collectors.toSet());
        synchronized (lock) {
            nodes.keySet().retainAll(wanted);
            for (Target t : targets) {
                nodes.computeIfAbsent(t.address(), a -> new NodeAudit(t, settings.ttlPatterns(), clock.instant()));
            }
        }
        int[] shares = AuditBudget.shares(settings.auditBudget(), settings.ttlPatterns().size(), rotation++);
        List<TtlCorrection> out = new ArrayList<>();
        for (Target t : targets) {
            NodeAudit audit;
            synchronized (lock) {
                audit = nodes.get(t.address());
            }
            Optional<String> error = Optional.empty();
            try {
                for (int i = 0; i < shares.length; i++) {
                    if (shares[i] > 0) {
                        runPattern(t.address(), audit.cursors.get(i), shares[i]).ifPresent(out::add);
                    }
                }
            } catch (RedisException e) {
                error = Optional.of(e.getMessage());
            }
            synchronized (lock) {
                audit.error = error;
                audit.lastCycleAt = Optional.of(clock.instant());
            }
        }
        synchronized (lock) {
            cycles++;
            lastCycleAt = Optional.of(clock.instant());
        }
        metrics.cycle(Duration.ofNanos(System.nanoTime() - t0));
        return out;
    }

    /** Spends one pattern's share on one node; the loop ends because every turn spends at least one key. */
    private Optional<TtlCorrection> runPattern(HostPort node, PatternCursor pc, int share) {
        TtlPattern p = pc.pattern();
        long corrected = 0;
        int remaining = share;
        while (remaining > 0) {
            int count = AuditBudget.nextCount(remaining);
            ScanPage page = redis.scan(node, pc.cursor(), p.pattern(), count);
            remaining -= count;
            List<byte[]> keys = page.keys();
            List<Long> ttls = redis.ttls(node, keys);
            List<byte[]> offenders = new ArrayList<>();
            synchronized (lock) {
                pc.page(count, keys.size());
                for (int k = 0; k < keys.size(); k++) {
                    TtlVerdict v = TtlVerdict.of(ttls.get(k), p.ttlSeconds());
                    if (v.violation()) {
                        pc.found(keys.get(k), ttls.get(k), v);
                        offenders.add(keys.get(k));
                        metrics.violation(p.pattern(), v);
                    }
                }
            }
            metrics.page(p.pattern(), count);
            if (settings.enforce() && !offenders.isEmpty()) {
                corrected += expire(node, pc, offenders);
            }
            boolean passDone;
            synchronized (lock) {
                passDone = pc.advance(page.cursor(), clock.instant());
            }
            if (passDone) {
                metrics.passComplete(p.pattern());
                break;
            }
        }
        return corrected > 0 ? Optional.of(new TtlCorrection(node, p.pattern(), p.ttlSeconds(), corrected)) : Optional.empty();
    }

    private long expire(HostPort node, PatternCursor pc, List<byte[]> offenders) {
        List<Boolean> set;
        try {
            set = redis.expireAtMost(node, offenders, pc.pattern().ttlSeconds());
        } catch (RedisException e) {
            metrics.correction("ttl", "failed", offenders.size());
            throw e;
        }
        // Not set: the key vanished or got a shorter TTL meanwhile; either way it is within the pattern now.
        long n = set.stream().filter(Boolean::booleanValue).count();
        synchronized (lock) {
            pc.corrected(n);
        }
        metrics.correction("ttl", "applied", n);
        return n;
    }

    /** The audit of one node, if it is a current target. */
    Optional<AuditReport> report(HostPort address) {
        synchronized (lock) {
            NodeAudit a = nodes.get(address);
            return a == null ? Optional.empty() : Optional.of(a.report());
        }
    }

    long cycles() {
        synchronized (lock) {
            return cycles;
        }
    }

    Optional<Instant> lastCycleAt() {
        synchronized (lock) {
            return lastCycleAt;
        }
    }

    /** Per master: one cursor per pattern, in settings order. Guarded by {@link #lock}. */
    private static final class NodeAudit {
        final Target target;
        final List<PatternCursor> cursors;
        Optional<String> error = Optional.empty();
        Optional<Instant> lastCycleAt = Optional.empty();

        NodeAudit(Target target, List<TtlPattern> patterns, Instant now) {
            this.target = target;
            this.cursors = patterns.stream().map(p -> new PatternCursor(p, now)).toList();
        }

        AuditReport report() {
            return new AuditReport(target.address(), target.group(), error, lastCycleAt,
                    cursors.stream().map(PatternCursor::report).toList());
        }
    }
}
