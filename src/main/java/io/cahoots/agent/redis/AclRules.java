package io.cahoots.agent.redis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The commands the agent sends to data nodes, grouped by the feature that sends them: the one source of the ACL
 * rule in docs/security.md and {@code redis-conf/users.acl} (a test compares them), and of the feature named when a
 * node refuses a command ({@code NOPERM}).
 *
 * <p>Keys: {@code ~*}, because moving slots and auditing TTLs touch every key. Channels: the topology channel and
 * Redisson's lock channels only. Sentinels are asked with their own password ({@code AGENT_SENTINEL_PASSWORD}):
 * Sentinel ACLs are not used by the agent.
 */
public final class AclRules {

    /** Feature -> commands ({@code cluster|nodes} is one subcommand; a bare name is the whole command). */
    public static final Map<String, List<String>> DATA_NODE_COMMANDS = commands();

    /**
     * The channels part of the rule: {@code cahoots:topology} is the default {@code AGENT_PUSH_CHANNEL}; the fleet
     * announces its views on {@code {cahoots-agent}:topology-events}; an import follows {@code __keyspace@0__:*}.
     */
    public static final String CHANNELS = "resetchannels &cahoots:topology &redisson_lock__channel:* "
            + "&{cahoots-agent}:topology-events &__keyspace@0__:*";

    private AclRules() {
    }

    private static Map<String, List<String>> commands() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("observe", List.of("ping", "info", "role", "cluster|nodes", "cluster|info", "cluster|shards", "cluster|myid",
                "cluster|countkeysinslot"));
        m.put("migrate", List.of("cluster|setslot", "cluster|getkeysinslot", "migrate", "asking", "exists", "dump",
                "restore", "restore-asking", "select"));
        m.put("node lifecycle and fix", List.of("dbsize", "cluster|addslotsrange", "cluster|meet", "cluster|replicate", "cluster|forget",
                "cluster|bumpepoch", "cluster|reset"));
        m.put("lease and journal (Redisson)", List.of("eval", "evalsha", "script|load", "hset", "hget", "hdel", "hgetall", "hlen", "hincrby", "hexists",
                "pexpire", "get", "set", "del", "publish", "subscribe", "unsubscribe", "psubscribe", "punsubscribe",
                "client|setname", "cluster|slots", "readonly", "wait"));
        m.put("roll", List.of("info", "cluster|info", "cluster|myid", "cluster|failover", "client|pause", "client|unpause",
                "replicaof", "config|rewrite"));
        m.put("policy", List.of("config|get", "config|set", "config|rewrite", "scan", "ttl", "pttl", "type", "expire"));
        m.put("pub/sub push", List.of("publish"));
        m.put("fleet (members, leader's lease, jobs, shared views)", List.of("eval", "hset", "hget", "hmget", "hgetall",
                "hvals", "hdel", "hscan", "get", "set", "psetex", "publish", "subscribe", "unsubscribe"));
        m.put("import", List.of("scan", "type", "pttl", "dump", "restore", "migrate", "del", "memory|usage",
                "config|get", "config|set", "psubscribe", "punsubscribe", "info"));
        m.put("keys and memory balance", List.of("cluster|countkeysinslot", "cluster|getkeysinslot", "memory|usage"));
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The ACL rule after {@code user <name> on ><password>}: {@code -@all}, then exactly the commands above. */
    public static String rule() {
        StringBuilder b = new StringBuilder("~* ").append(CHANNELS).append(" -@all");
        DATA_NODE_COMMANDS.values().stream().flatMap(List::stream).distinct().forEach(c -> b.append(" +").append(c));
        return b.toString();
    }

    /** The feature that needs a command, for a refusal's message. */
    public static Optional<String> featureOf(String command) {
        String c = command.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, List<String>> e : DATA_NODE_COMMANDS.entrySet()) {
            if (e.getValue().contains(c)) {
                return Optional.of(e.getKey());
            }
        }
        String parent = c.contains("|") ? c.substring(0, c.indexOf('|')) : c;
        return DATA_NODE_COMMANDS.entrySet().stream().filter(e -> e.getValue().contains(parent)).map(Map.Entry::getKey).findFirst();
    }

    /**
     * Redis 7 words a refusal {@code NOPERM User u has no permissions to run the 'cluster|setslot' command}; the
     * sentence for the operator names the command, the feature and the fix. Null when {@code message} is no such refusal.
     */
    public static String refusal(String message) {
        if (message != null && message.contains("user executing the script can't run this command")) {
            // Redisson's lock scripts: Redis does not say which command inside the script was refused.
            return "the agent's Redis user may not run a command of the lease and journal (Redisson) scripts: check its"
                    + " ACL rule against docs/security.md";
        }
        if (message == null || !message.contains("NOPERM")) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("'([^']+)' command").matcher(message);
        if (!m.find()) {
            return "the agent's Redis user was refused: " + message + " (see the ACL rule in docs/security.md)";
        }
        String command = m.group(1);
        return "the agent's Redis user may not run '" + command + "'"
                + featureOf(command).map(f -> ", which the agent needs for " + f).orElse("")
                + ": add +" + command + " to its ACL rule (docs/security.md)";
    }
}
