package io.cahoots.agent.config;

import io.cahoots.agent.cluster.HostPort;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

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
        SettingErrors.checked(AgentConfig.class, c);
        List<HostPort> cluster = c.clusterNodes().orElse(List.of());
        List<HostPort> sentinels = c.sentinelNodes().orElse(List.of());
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
        if (c.lab() && !cluster.isEmpty()) {
            throw new InvalidSettingException("AGENT_LAB",
                    "is true and AGENT_CLUSTER_NODES is set too: the lab brings its own nodes, unset one of them");
        }
        return new Settings(cluster, sentinels, masters,
                new Credentials(c.redisUsername(), c.redisPassword()),
                new Credentials(Optional.empty(), c.sentinelPassword()),
                c.redisTls(), c.redisTimeout(), token, c.pollInterval(), c.lab(), c.rebalanceThresholdPercent(),
                c.migrationBatchKeys(), c.migrationParallelism(), c.leaseTimeout());
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

    private static List<String> names(String value) {
        return java.util.Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
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
