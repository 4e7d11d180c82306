package io.cahoots.agent.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The validated Redis policy settings. {@link #from(PolicyConfig)} throws {@link InvalidSettingException} for the
 * first bad value, so a typo in a memory size or a pattern stops the agent at start-up instead of being enforced.
 *
 * @param maxmemoryBytes  what {@code maxmemory} should be, in bytes; 0 means "no limit", as in Redis
 * @param maxmemoryPolicy what {@code maxmemory-policy} should be, lower case as Redis reports it
 * @param ttlPatterns     in the order given; a key matched by several patterns must satisfy each of them
 * @param auditBudget     keys each master is asked to examine per audit cycle; 0 = audit off
 */
public record PolicySettings(
        long maxmemoryBytes,
        String maxmemoryPolicy,
        List<TtlPattern> ttlPatterns,
        boolean enforce,
        Duration auditInterval,
        int auditBudget) implements SettingsGroup {

    /** The eviction policies Redis 7 accepts. */
    public static final Set<String> MAXMEMORY_POLICIES = Set.of("volatile-lru", "allkeys-lru", "volatile-lfu",
            "allkeys-lfu", "volatile-random", "allkeys-random", "volatile-ttl", "noeviction");

    /** Below this Redis itself warns: a limit of a few bytes is a typo that would evict nearly every key. */
    static final long MIN_MAXMEMORY = 1024L * 1024;
    /** 4 TiB: far beyond any single Redis node; a larger figure is a unit mistake. */
    static final long MAX_MAXMEMORY = 4096L * 1024 * 1024 * 1024;
    /** Ten years; EXPIRE accepts more, but a longer "cache" TTL is a typo. */
    static final long MAX_TTL_SECONDS = 10L * 365 * 24 * 3600;

    /** Redis' units (memtoll in util.c): k/m/g are powers of 1000, kb/mb/gb powers of 1024, case-insensitive. */
    private static final Pattern MEMORY = Pattern.compile("(\\d{1,19})(b|k|kb|m|mb|g|gb)?");
    private static final Pattern ENTRY = Pattern.compile("([^=\\s]+)=(\\d{1,12})");

    /** @param ttlSeconds the longest TTL a key matching {@code pattern} may have */
    public record TtlPattern(String pattern, long ttlSeconds) {
    }

    public PolicySettings {
        ttlPatterns = List.copyOf(ttlPatterns);
    }

    public static PolicySettings from(PolicyConfig c) {
        long maxmemory = maxmemory(c.maxmemory());
        String policy = c.maxmemoryPolicy().trim().toLowerCase(Locale.ROOT);
        if (!MAXMEMORY_POLICIES.contains(policy)) {
            throw new InvalidSettingException("AGENT_POLICY_MAXMEMORY_POLICY", quote(c.maxmemoryPolicy()),
                    "one of allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, "
                            + "volatile-ttl, noeviction");
        }
        List<TtlPattern> patterns = ttlPatterns(c.ttlPatterns());
        SettingErrors.checked(PolicyConfig.class, c);
        return new PolicySettings(maxmemory, policy, patterns, c.enforce(), c.auditInterval(), c.auditBudget());
    }

    public boolean auditEnabled() {
        return auditBudget > 0;
    }

    /** Parses a memory size the way redis.conf does; the same text means the same bytes here and there. */
    public static long parseMemory(String text) {
        Matcher m = MEMORY.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a memory size");
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "k" -> 1000L;
            case "kb" -> 1024L;
            case "m" -> 1000L * 1000;
            case "mb" -> 1024L * 1024;
            case "g" -> 1000L * 1000 * 1000;
            case "gb" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        return Math.multiplyExact(n, unit);
    }

    /** Bytes as the shortest exact Redis size: {@code 2147483648} -> {@code 2gb}, {@code 1000} -> {@code 1000b}. */
    public static String formatMemory(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        long[] units = {1024L * 1024 * 1024, 1024L * 1024, 1024L};
        String[] names = {"gb", "mb", "kb"};
        for (int i = 0; i < units.length; i++) {
            if (bytes > 0 && bytes % units[i] == 0) {
                return bytes / units[i] + names[i];
            }
        }
        return bytes + "b";
    }

    private static long maxmemory(String value) {
        long bytes;
        try {
            bytes = parseMemory(value);
        } catch (IllegalArgumentException | ArithmeticException e) {
            bytes = -1;
        }
        if (bytes == 0 || (bytes >= MIN_MAXMEMORY && bytes <= MAX_MAXMEMORY)) {
            return bytes;
        }
        throw new InvalidSettingException("AGENT_POLICY_MAXMEMORY", quote(value),
                "a memory size as in redis.conf such as 2gb, 512mb or 1073741824 (bytes), at least 1mb and at most "
                        + "4096gb, or 0 for no limit");
    }

    static List<TtlPattern> ttlPatterns(String value) {
        List<TtlPattern> out = new ArrayList<>();
        for (String raw : value.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            Matcher m = ENTRY.matcher(entry);
            long ttl = m.matches() ? Long.parseLong(m.group(2)) : 0;
            if (!m.matches() || ttl < 1 || ttl > MAX_TTL_SECONDS) {
                throw invalidPatterns(value, "'" + entry + "' is not pattern=seconds with seconds from 1 to " + MAX_TTL_SECONDS);
            }
            String pattern = m.group(1);
            if (out.stream().anyMatch(p -> p.pattern().equals(pattern))) {
                throw invalidPatterns(value, "'" + pattern + "' is listed twice");
            }
            out.add(new TtlPattern(pattern, ttl));
        }
        if (out.isEmpty()) {
            throw invalidPatterns(value, "no pattern; to turn the audit off set AGENT_POLICY_AUDIT_BUDGET=0");
        }
        return out;
    }

    private static InvalidSettingException invalidPatterns(String value, String why) {
        return new InvalidSettingException("AGENT_POLICY_TTL_PATTERNS", quote(value),
                "comma-separated pattern=seconds entries such as api:cache:*=300,user:session:*=3600 (" + why + ")");
    }

    private static String quote(String value) {
        return "'" + value + "'";
    }

    @Override
    public String toString() {
        return "PolicySettings[maxmemory=" + formatMemory(maxmemoryBytes) + ", maxmemory-policy=" + maxmemoryPolicy
                + ", ttl=" + ttlPatterns.stream().map(p -> p.pattern() + "=" + p.ttlSeconds()).toList()
                + ", enforce=" + enforce + ", auditInterval=" + auditInterval + ", auditBudget=" + auditBudget + "]";
    }
}
