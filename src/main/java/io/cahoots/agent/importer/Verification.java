package io.cahoots.agent.importer;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Compares one key on the source and on the target. Pure.
 *
 * <ol>
 *   <li>Absent on both: equal. Present on one side only: MISSING (only on the source) or UNEXPECTED (only on the
 *       target) -- except a source key about to expire (within the tolerance) that the target already let expire.</li>
 *   <li>Types differ: TYPE. Digests differ: VALUE (the caller first compares DUMP payloads and, when they differ, a
 *       per-type canonical form, since the same value can be encoded differently).</li>
 *   <li>Expiry: both persistent, or both expiring within {@code toleranceMillis} of each other; else TTL.</li>
 * </ol>
 */
public final class Verification {

    public enum Difference { MISSING, UNEXPECTED, TYPE, VALUE, TTL }

    private Verification() {
    }

    public static Optional<Difference> compare(KeyState source, KeyState target, long toleranceMillis) {
        if (!source.exists() && !target.exists()) {
            return Optional.empty();
        }
        if (!target.exists()) {
            boolean expiring = source.pttl() >= 0 && source.pttl() <= toleranceMillis;
            return expiring ? Optional.empty() : Optional.of(Difference.MISSING);
        }
        if (!source.exists()) {
            boolean expiring = target.pttl() >= 0 && target.pttl() <= toleranceMillis;
            return expiring ? Optional.empty() : Optional.of(Difference.UNEXPECTED);
        }
        if (!source.type().equals(target.type())) {
            return Optional.of(Difference.TYPE);
        }
        if (!Arrays.equals(source.digest(), target.digest())) {
            return Optional.of(Difference.VALUE);
        }
        if (!ttlMatches(source.pttl(), target.pttl(), toleranceMillis)) {
            return Optional.of(Difference.TTL);
        }
        return Optional.empty();
    }

    static boolean ttlMatches(long source, long target, long toleranceMillis) {
        if (source < 0 || target < 0) {
            return source < 0 && target < 0;
        }
        return Math.abs(source - target) <= toleranceMillis;
    }

    /** Difference counts, for the job result. */
    public static final class Tally {
        private final Map<Difference, Long> counts = new EnumMap<>(Difference.class);
        private long checked;

        public synchronized void checked(long n) {
            checked += n;
        }

        public synchronized void add(Difference d) {
            counts.merge(d, 1L, Long::sum);
        }

        public synchronized long checked() {
            return checked;
        }

        public synchronized long differences() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        public synchronized Map<Difference, Long> counts() {
            return Map.copyOf(counts);
        }
    }
}
