package io.cahoots.agent.caching;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.RedisException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An in-memory stand-in for {@link PolicyRedis} with Redis' semantics where the audit relies on them: SCAN visits
 * {@code COUNT} keys per call in a stable order and filters by the glob afterwards (Redis 7.0), cursor "0" ends a pass,
 * TTL -1/-2, {@code EXPIRE ... LT} only shortens. Records every call so tests can check the budget.
 */
final class FakePolicyRedis implements PolicyRedis {

    /** One SCAN call as the node saw it. */
    record Scan(HostPort node, String cursor, String pattern, int count) {
    }

    final Map<HostPort, TreeMap<String, Long>> keys = new HashMap<>();
    final Map<HostPort, MemoryState> memory = new HashMap<>();
    final List<Scan> scans = new ArrayList<>();
    final List<String> configSets = new ArrayList<>();
    final Set<HostPort> down = new HashSet<>();
    int ttlCalls;

    void put(HostPort node, String key, long ttl) {
        keys.computeIfAbsent(node, n -> new TreeMap<>()).put(key, ttl);
    }

    long ttl(HostPort node, String key) {
        return keys.get(node).getOrDefault(key, -2L);
    }

    @Override
    public MemoryState memory(HostPort node) {
        check(node);
        return memory.get(node);
    }

    @Override
    public void configSet(HostPort node, String setting, String value) {
        check(node);
        configSets.add(node + " " + setting + " " + value);
    }

    @Override
    public ScanPage scan(HostPort node, String cursor, String pattern, int count) {
        check(node);
        scans.add(new Scan(node, cursor, pattern, count));
        List<String> all = new ArrayList<>(keys.getOrDefault(node, new TreeMap<>()).keySet());
        int from = Integer.parseInt(cursor);
        int to = Math.min(all.size(), from + count);
        Pattern glob = glob(pattern);
        List<byte[]> out = new ArrayList<>();
        for (String k : all.subList(Math.min(from, all.size()), to)) {
            if (glob.matcher(k).matches()) {
                out.add(k.getBytes(StandardCharsets.UTF_8));
            }
        }
        return new ScanPage(to >= all.size() ? "0" : Integer.toString(to), out);
    }

    @Override
    public List<Long> ttls(HostPort node, List<byte[]> keyList) {
        check(node);
        ttlCalls += keyList.size();
        return keyList.stream().map(k -> ttl(node, new String(k, StandardCharsets.UTF_8))).toList();
    }

    @Override
    public List<Boolean> expireAtMost(HostPort node, List<byte[]> keyList, long seconds) {
        check(node);
        List<Boolean> out = new ArrayList<>();
        for (byte[] k : keyList) {
            String key = new String(k, StandardCharsets.UTF_8);
            long now = ttl(node, key);
            boolean set = now != -2 && (now == -1 || seconds < now);
            if (set) {
                keys.get(node).put(key, seconds);
            }
            out.add(set);
        }
        return out;
    }

    private void check(HostPort node) {
        if (down.contains(node)) {
            throw new RedisException.Unavailable(node, "Connection refused", null);
        }
    }

    static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[', ']' -> re.append(c);
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
