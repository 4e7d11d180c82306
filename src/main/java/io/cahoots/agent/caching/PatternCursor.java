package io.cahoots.agent.caching;

import io.cahoots.agent.config.PolicySettings.TtlPattern;
import io.cahoots.agent.caching.AuditReport.Example;
import io.cahoots.agent.caching.AuditReport.PassCounts;
import io.cahoots.agent.caching.AuditReport.PatternReport;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The audit's progress on one (node, pattern): the SCAN cursor to resume from and the tallies of the current pass.
 * Mutable, touched only by the audit thread; readers get {@link #report()} copies under the auditor's lock.
 */
final class PatternCursor {

    /** Offenders kept per pass: enough to find the code that writes them, never a key dump. */
    static final int EXAMPLES = 5;
    /** Key names are shown for people; a huge key name is cut. */
    private static final int KEY_CHARS = 200;

    private final TtlPattern pattern;
    private String cursor = "0";
    private long passes;
    private Tally current;
    private Optional<PassCounts> lastPass = Optional.empty();
    private final Tally total;

    PatternCursor(TtlPattern pattern, Instant now) {
        this.pattern = pattern;
        this.current = new Tally(now);
        this.total = new Tally(now);
    }

    TtlPattern pattern() {
        return pattern;
    }

    String cursor() {
        return cursor;
    }

    /** Records one SCAN page: the COUNT spent, the keys returned and their verdicts. */
    void page(int count, int returned) {
        current.examined += count;
        current.returned += returned;
        total.examined += count;
        total.returned += returned;
    }

    void found(byte[] key, long ttl, TtlVerdict verdict) {
        for (Tally t : List.of(current, total)) {
            if (verdict == TtlVerdict.NO_TTL) {
                t.withoutTtl++;
            } else if (verdict == TtlVerdict.BEYOND) {
                t.beyondTtl++;
            }
        }
        if (current.examples.size() < EXAMPLES) {
            String name = new String(key, StandardCharsets.UTF_8);
            current.examples.add(new Example(name.length() > KEY_CHARS ? name.substring(0, KEY_CHARS) + "..." : name, ttl));
        }
    }

    void corrected(long keys) {
        current.corrected += keys;
        total.corrected += keys;
    }

    /** Moves to the next cursor; "0" ends the pass, whose tallies become {@link PatternReport#lastPass()}. */
    boolean advance(String next, Instant now) {
        cursor = next;
        if (!"0".equals(next)) {
            return false;
        }
        passes++;
        lastPass = Optional.of(current.counts(Optional.of(now)));
        current = new Tally(now);
        return true;
    }

    PatternReport report() {
        return new PatternReport(pattern.pattern(), pattern.ttlSeconds(), cursor, passes, current.counts(Optional.empty()),
                lastPass, total.counts(Optional.empty()));
    }

    private static final class Tally {
        final Instant startedAt;
        long examined;
        long returned;
        long withoutTtl;
        long beyondTtl;
        long corrected;
        final List<Example> examples = new ArrayList<>();

        Tally(Instant startedAt) {
            this.startedAt = startedAt;
        }

        PassCounts counts(Optional<Instant> completedAt) {
            return new PassCounts(startedAt, completedAt, examined, returned, withoutTtl, beyondTtl, corrected, examples);
        }
    }
}
