package io.cahoots.agent.importer;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an import is doing, read live by {@code GET /jobs/{id}} (the job's {@code result}) and the metrics. Written by
 * the job's threads; every field is volatile or atomic, so readers see recent values without locking.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"phase", "source", "primary", "keysScanned", "keysCopied", "keysDeleted", "changesSeen",
        "changesApplied", "changesPending", "lagKeys", "lagSeconds", "fullCopies", "failoversFollowed", "keysFailed"})
public final class ImportStatus {

    public enum Phase { PREPARING, COPYING, FOLLOWING, GRACE, VERIFYING, DONE, CANCELLED, FAILED }

    volatile Phase phase = Phase.PREPARING;
    final String source;
    volatile String primary;
    final AtomicLong keysScanned = new AtomicLong();
    final AtomicLong keysCopied = new AtomicLong();
    final AtomicLong keysDeleted = new AtomicLong();
    final AtomicLong changesApplied = new AtomicLong();
    volatile long changesSeen;
    volatile long changesPending;
    volatile double lagSeconds;
    volatile long lagKeys;
    /** Full SCAN passes started: 1, plus one per failover or lost notification stream. */
    final AtomicLong fullCopies = new AtomicLong();
    final AtomicLong failoversFollowed = new AtomicLong();
    final AtomicLong keysFailed = new AtomicLong();
    final List<String> failures = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    volatile Map<String, String> notifyKeyspaceEventsRestored;
    volatile String cutoverAt;
    volatile Long cutoverVersion;
    volatile String graceEndsAt;
    volatile Verified verification;
    volatile String target;

    /**
     * @param counts       differences by kind, after the repair
     * @param onlyOnTarget keys in the target that the source does not have, after the repair
     * @param repaired     keys that still differed after the rechecks and were copied once more by the verification
     */
    public record Verified(long keysChecked, long differences, Map<Verification.Difference, Long> counts,
                           long onlyOnTarget, List<String> examples, long repaired, List<String> repairedExamples) {
    }

    ImportStatus(String source) {
        this.source = source;
    }

    public Phase phase() {
        return phase;
    }

    public long lagKeys() {
        return lagKeys;
    }

    public double lagSeconds() {
        return lagSeconds;
    }

    public long keysCopied() {
        return keysCopied.get();
    }

    public Verified verification() {
        return verification;
    }

    void failed(String key, String why) {
        keysFailed.incrementAndGet();
        synchronized (failures) {
            if (failures.size() < 20) {
                failures.add(key + ": " + why);
            }
        }
    }

    void event(String text) {
        synchronized (events) {
            if (events.size() < 50) {
                events.add(java.time.Instant.now() + " " + text);
            }
        }
    }

    void lag(ChangeLog.Lag lag, long seen) {
        lagKeys = lag.keys();
        changesPending = lag.keys();
        lagSeconds = Math.round(lag.seconds() * 1000) / 1000.0;
        changesSeen = seen;
    }
}
