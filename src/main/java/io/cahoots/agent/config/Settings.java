package io.cahoots.agent.config;

import io.cahoots.agent.cluster.HostPort;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The validated, typed settings. Built once at start-up by {@link #from(AgentConfig)}, which throws
 * {@link InvalidSettingException} for the first bad value.
 */
public record Settings(
        List<HostPort> clusterNodes,
        List<HostPort> sentinelNodes,
        List<String> sentinelMasters,
        Credentials redisCredentials,
        Credentials sentinelCredentials,
        boolean tls,
        Duration redisTimeout,
        Optional<String> adminToken,
        Duration pollInterval,
        boolean lab,
        double rebalanceThresholdPercent,
        int migrationBatchKeys,
        int migrationParallelism,
        Duration leaseTimeout) implements SettingsGroup {

    /** Shorter tokens are guessable; {@code openssl rand -hex 16} gives 32 characters. */
    public static final int MIN_TOKEN_LENGTH = 16;

    public Settings {
        clusterNodes = List.copyOf(clusterNodes);
        sentinelNodes = List.copyOf(sentinelNodes);
        sentinelMasters = List.copyOf(sentinelMasters);
    }

    public static Settings from(AgentConfig c) {
        List<HostPort> cluster = addresses("AGENT_CLUSTER_NODES", c.clusterNodes());
        List<HostPort> sentinels = addresses("AGENT_SENTINEL_NODES", c.sentinelNodes());
        List<String> masters = c.sentinelMasters().map(Settings::names).orElse(List.of());
        if (!masters.isEmpty() && sentinels.isEmpty()) {
            throw new InvalidSettingException("AGENT_SENTINEL_MASTERS",
                    "is set but AGENT_SENTINEL_NODES is not: name the Sentinels to ask about these masters");
        }
        if (c.redisUsername().isPresent() && c.redisPassword().isEmpty()) {
            throw new InvalidSettingException("AGENT_REDIS_USERNAME",
                    "is set but AGENT_REDIS_PASSWORD is not: an ACL user needs its password");
        }
        Optional<String> token = c.adminToken();
        // Two comma-separated tokens are accepted during a rotation: the new one is rolled out to admins while the
        // old one still works, then the old one is removed.
        if (token.isPresent()) {
            List<String> tokens = java.util.Arrays.asList(token.get().split(",", -1));
            if (tokens.size() > 2 || tokens.stream().anyMatch(t -> t.length() < MIN_TOKEN_LENGTH || t.chars().anyMatch(Character::isWhitespace))) {
                throw new InvalidSettingException("AGENT_ADMIN_TOKEN", "<hidden, " + token.get().length() + " characters>",
                        "at least " + MIN_TOKEN_LENGTH + " characters without spaces (e.g. `openssl rand -hex 16`),"
                                + " or two such tokens separated by a comma during a rotation");
            }
        }
        boolean lab = bool("AGENT_LAB", c.lab());
        if (lab && !cluster.isEmpty()) {
            throw new InvalidSettingException("AGENT_LAB",
                    "is true and AGENT_CLUSTER_NODES is set too: the lab brings its own nodes, unset one of them");
        }
        Duration poll = duration("AGENT_POLL_INTERVAL", c.pollInterval(), Duration.ofMillis(100), Duration.ofHours(1));
        Duration timeout = duration("AGENT_REDIS_TIMEOUT", c.redisTimeout(), Duration.ofMillis(50), Duration.ofMinutes(1));
        return new Settings(cluster, sentinels, masters,
                new Credentials(c.redisUsername(), c.redisPassword()),
                new Credentials(Optional.empty(), c.sentinelPassword()),
                bool("AGENT_REDIS_TLS", c.redisTls()), timeout, token, poll, lab,
                percent("AGENT_REBALANCE_THRESHOLD_PERCENT", c.rebalanceThresholdPercent()),
                integer("AGENT_MIGRATION_BATCH_KEYS", c.migrationBatchKeys(), 1, 100_000),
                integer("AGENT_MIGRATION_PARALLELISM", c.migrationParallelism(), 1, 64),
                duration("AGENT_LEASE_TIMEOUT", c.leaseTimeout(), Duration.ofSeconds(1), Duration.ofMinutes(10)));
    }

    /** The same settings pointed at other nodes: the lab's, once it has started them. */
    public Settings withRedis(List<HostPort> cluster, List<HostPort> sentinels, Credentials redis, Credentials sentinel) {
        return new Settings(cluster, sentinels, sentinelMasters, redis, sentinel, tls, redisTimeout, adminToken, pollInterval,
                lab, rebalanceThresholdPercent, migrationBatchKeys, migrationParallelism, leaseTimeout);
    }

    public Settings withAdminToken(String token) {
        return new Settings(clusterNodes, sentinelNodes, sentinelMasters, redisCredentials, sentinelCredentials, tls,
                redisTimeout, Optional.of(token), pollInterval, lab, rebalanceThresholdPercent, migrationBatchKeys,
                migrationParallelism, leaseTimeout);
    }

    /** The accepted admin tokens: one, or two during a rotation. */
    public List<String> adminTokens() {
        return adminToken.map(t -> List.of(t.split(","))).orElse(List.of());
    }

    static List<HostPort> addresses(String variable, Optional<String> value) {
        if (value.isEmpty() || value.get().isBlank()) {
            return List.of();
        }
        try {
            List<HostPort> list = HostPort.parseList(value.get());
            if (list.stream().distinct().count() != list.size()) {
                throw new IllegalArgumentException("duplicate address");
            }
            return list;
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(variable, quote(value.get()),
                    "comma-separated host:port addresses such as 10.0.0.1:6379,[::1]:7000 (" + e.getMessage() + ")");
        }
    }

    private static List<String> names(String value) {
        return java.util.Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
    }

    static int integer(String variable, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSettingException(variable, quote(value), "a whole number from " + min + " to " + max);
    }

    static double percent(String variable, String value) {
        try {
            double d = Double.parseDouble(value.trim());
            if (d >= 0 && d <= 100) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSettingException(variable, quote(value), "a percentage from 0 to 100");
    }

    static boolean bool(String variable, String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw new InvalidSettingException(variable, quote(value), "true or false");
    }

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    /** Accepts {@code 500ms}, {@code 1s}, {@code 5m}, {@code 1h}, a bare number of seconds, or ISO-8601 ({@code PT5M}). */
    static Duration duration(String variable, String value, Duration min, Duration max) {
        String v = value.trim();
        Duration d;
        Matcher m = SIMPLE_DURATION.matcher(v);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                d = switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            } else {
                d = Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
            }
        } catch (RuntimeException e) {
            d = null;
        }
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new InvalidSettingException(variable, quote(value),
                    "a duration between " + human(min) + " and " + human(max) + " such as 500ms, 1s or 5m");
        }
        return d;
    }

    private static String human(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        if (d.toSeconds() < 60) {
            return d.toSeconds() + "s";
        }
        return d.toMinutes() < 60 ? d.toMinutes() + "m" : d.toHours() + "h";
    }

    private static String quote(String value) {
        return "'" + value + "'";
    }

    /** {@code agent.poll-interval} -> {@code AGENT_POLL_INTERVAL}. */
    public static String environmentName(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return "Settings[cluster=" + clusterNodes + ", sentinels=" + sentinelNodes + ", masters=" + sentinelMasters
                + ", redis=" + redisCredentials + ", sentinel=" + sentinelCredentials + ", tls=" + tls
                + ", timeout=" + redisTimeout + ", adminToken=" + (adminToken.isPresent() ? "set" : "unset")
                + ", poll=" + pollInterval + ", lab=" + lab + ", threshold=" + rebalanceThresholdPercent + "%"
                + ", batchKeys=" + migrationBatchKeys + ", parallelism=" + migrationParallelism + "]";
    }
}
