package io.cahoots.agent.bench;

import io.cahoots.agent.cluster.ClusterNodesParser;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.executor.MigrationTuning;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 16's big-key data set, smaller by default: small keys of {@link RebalanceBench}, plus strings of 20-MB steps,
 * a sorted set and a hash, rebalanced onto an empty fourth master by {@code redis-cli --cluster rebalance
 * --cluster-use-empty-masters} and by the agent (defaults), each on a fresh lab whose big keys sit in slots that
 * contender's rebalance moves (the same work for both: every big key and about a quarter of the small keys); every
 * big key's {@code DEBUG DIGEST-VALUE} and the key count are checked after. Usage:
 * {@code bench/big-keys.sh [small keys] [strings] [zset members] [hash fields]}.
 */
public final class BigKeyBench {

    public static void main(String[] args) throws Exception {
        int small = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int strings = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int zsetMembers = args.length > 2 ? Integer.parseInt(args[2]) : 500_000;
        int hashFields = args.length > 3 ? Integer.parseInt(args[3]) : 500_000;
        int keys = small; // each big key replaces a small one (replaceSmallKey)
        List<String> rows = new ArrayList<>();
        for (String who : List.of("redis-cli", "agent")) {
            // A 15 s node timeout: writing a 100 MB value blocks its node for longer than the tests' 1 s, and the
            // cluster would fail that node over (CLUSTERDOWN) before the rebalance started.
            try (RedisLab lab = RebalanceBench.loadedLab(small, LabSpec.builder().masters(3).replicasPerMaster(0).spareNodes(1)
                    .clusterNodeTimeoutMillis(15_000).build())) {
                // Each contender moves the big keys: they go into slots its rebalance will move (the table says how
                // many did). redis-cli takes each source's lowest slots; the agent's planner picks a window at either
                // end of a source's range, by key counts, so it is asked first.
                List<List<Integer>> moving = who.equals("agent") ? agentMoves(lab) : lowestSlots(lab);
                Map<String, String> before = addBigKeys(lab, strings, zsetMembers, hashFields, moving);
                RebalanceBench.sleep(1500);
                String outcome;
                double seconds;
                long t0 = System.nanoTime();
                try {
                    seconds = who.equals("agent")
                            ? RebalanceBench.agent(lab, keys, MigrationTuning.defaults(1000, 4).withLimits(Duration.ZERO, 8L << 20)).seconds()
                            : RebalanceBench.redisCli(lab, keys, null).seconds();
                    outcome = "ok";
                } catch (RuntimeException e) {
                    seconds = (System.nanoTime() - t0) / 1e9;
                    outcome = "FAILED: " + e.getMessage().lines().filter(l -> l.contains("ERR") || l.contains("failed")
                            || l.contains("expected")).findFirst().orElse(e.getMessage().lines().findFirst().orElse(""));
                }
                Map<String, String> after = digests(lab, before.keySet());
                HostPort spare = lab.spareNodes().get(0);
                long moved = before.keySet().stream().filter(k -> owner(lab, k).equals(spare)).count();
                long same = before.keySet().stream().filter(k -> before.get(k).equals(after.get(k))).count();
                String row = String.format(Locale.ROOT, "%-10s %8.2f s  big keys on the new master %d/%d, intact %d/%d  %s  (load average %s)", who,
                        seconds, moved, before.size(), same, before.size(), outcome, ClientLatencyBench.loadAverage());
                System.out.println(row);
                rows.add(row);
            }
        }
        System.out.printf(Locale.ROOT, "%n%d small keys of 100 B, %d strings of 20-%d MB, a zset of %d members, a hash of %d fields%n",
                small - strings - 2, strings, 20 * Math.min(5, strings), zsetMembers, hashFields);
        rows.forEach(System.out::println);
    }

    /** The slots of each source the agent's plan moves, in slot order. */
    static List<List<Integer>> agentMoves(RedisLab lab) {
        return RebalanceBench.plan(lab).plan().moves().stream().map(m -> {
            List<Integer> slots = new ArrayList<>();
            m.slots().forEach(r -> {
                for (int s = r.start(); s <= r.end(); s++) {
                    slots.add(s);
                }
            });
            return slots;
        }).toList();
    }

    /** The first slots of each of the three masters (redis-cli's rebalance takes a source's slots in order). */
    static List<List<Integer>> lowestSlots(RedisLab lab) {
        return java.util.stream.IntStream.of(0, 5461, 10923)
                .mapToObj(start -> java.util.stream.IntStream.range(start, start + 1000).boxed().toList()).toList();
    }

    /** Writes the big keys to their owners, in slots of {@code moving} (per source); returns each one's digest. */
    static Map<String, String> addBigKeys(RedisLab lab, int strings, int zsetMembers, int hashFields, List<List<Integer>> moving) {
        Map<String, String> names = new LinkedHashMap<>();
        for (int i = 0; i < strings; i++) {
            String key = "big:string:" + i + near(i, moving);
            byte[] value = new byte[(20 << 20) * (1 + i % 5)]; // 20, 40, 60, 80, 100 MB, again
            java.util.Arrays.fill(value, (byte) ('a' + i));
            try (Jedis j = conn(lab, owner(lab, key))) {
                replaceSmallKey(j, key);
                j.set(key.getBytes(), value);
            }
            names.put(key, "");
        }
        String zset = "big:zset" + near(strings, moving), hash = "big:hash" + near(strings + 1, moving);
        for (String key : List.of(zset, hash)) {
            try (Jedis j = conn(lab, owner(lab, key))) {
                replaceSmallKey(j, key);
            }
        }
        try (Jedis j = conn(lab, owner(lab, zset))) {
            Pipeline p = j.pipelined();
            Map<String, Double> batch = new HashMap<>();
            for (int i = 0; i < zsetMembers; i++) {
                batch.put("member:" + i, (double) i);
                if (batch.size() == 1000) {
                    p.zadd(zset, batch);
                    batch = new HashMap<>();
                    p.sync();
                }
            }
            if (!batch.isEmpty()) {
                p.zadd(zset, batch);
            }
            p.sync();
        }
        try (Jedis j = conn(lab, owner(lab, hash))) {
            Pipeline p = j.pipelined();
            Map<String, String> batch = new HashMap<>();
            for (int i = 0; i < hashFields; i++) {
                batch.put("field:" + i, "value:" + i);
                if (batch.size() == 1000) {
                    p.hset(hash, batch);
                    batch = new HashMap<>();
                    p.sync();
                }
            }
            if (!batch.isEmpty()) {
                p.hset(hash, batch);
            }
            p.sync();
        }
        names.put(zset, "");
        names.put(hash, "");
        return digests(lab, names.keySet());
    }

    /**
     * Deletes one small key of {@code bigKey}'s slot: each big key takes a small key's place, so every slot keeps its
     * key count and the agent's planner, which picks among windows of equal size by key count, keeps the plan it
     * answered before the big keys came (adding them had flipped a source's window in one run). Both contenders' labs
     * lose the same number of small keys.
     */
    static void replaceSmallKey(Jedis owner, String bigKey) {
        int slot = redis.clients.jedis.util.JedisClusterCRC16.getSlot(bigKey);
        List<String> one = owner.clusterGetKeysInSlot(slot, 1);
        if (one.isEmpty()) {
            throw new IllegalStateException("slot " + slot + " holds no small key to replace");
        }
        owner.del(one.get(0));
    }

    /**
     * A hash tag for big key {@code i}: in a slot among 300 of source {@code i % n}'s moved slots, from the
     * {@code 40 x (i / n)}th on, so the big keys spread over each source's moved slots.
     */
    static String near(int i, List<List<Integer>> moving) {
        List<Integer> slots = moving.get(i % moving.size());
        int from = Math.min(slots.size() - 1, 40 * (i / moving.size()));
        java.util.Set<Integer> wanted = new java.util.HashSet<>(slots.subList(from, Math.min(slots.size(), from + 300)));
        for (int t = 0; ; t++) {
            if (wanted.contains(redis.clients.jedis.util.JedisClusterCRC16.getSlot("{t" + t + "}"))) {
                return ":{t" + t + "}";
            }
        }
    }

    static HostPort owner(RedisLab lab, String key) {
        int slot = redis.clients.jedis.util.JedisClusterCRC16.getSlot(key);
        for (HostPort n : nodes(lab)) {
            try (Jedis j = conn(lab, n)) {
                if (j.clusterCountKeysInSlot(slot) >= 0 && j.clusterNodes().lines()
                        .filter(l -> l.contains("myself")).anyMatch(l -> owns(l, slot))) {
                    return n;
                }
            }
        }
        throw new IllegalStateException("no owner for slot " + slot);
    }

    static boolean owns(String nodesLine, int slot) {
        return ClusterNodesParser.parseLine(nodesLine).slots().stream().anyMatch(r -> r.contains(slot));
    }

    /** A 60 s socket timeout: a 100 MB SET or the digest of a 2M-member zset takes seconds on a loaded machine. */
    static Jedis conn(RedisLab lab, HostPort n) {
        return lab.node(n).connect(60_000);
    }

    static List<HostPort> nodes(RedisLab lab) {
        List<HostPort> all = new ArrayList<>(lab.masters());
        all.addAll(lab.spareNodes());
        return all;
    }

    /** {@code DEBUG DIGEST-VALUE} of each key, asked of its current owner ("missing" if no owner has it). */
    static Map<String, String> digests(RedisLab lab, java.util.Collection<String> keys) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : keys) {
            String d = "missing";
            try (Jedis j = conn(lab, owner(lab, key))) {
                if (j.exists(key)) {
                    Object r = j.sendCommand((redis.clients.jedis.commands.ProtocolCommand) () -> "DEBUG".getBytes(), "DIGEST-VALUE", key);
                    Object first = r instanceof List<?> l ? l.get(0) : r;
                    d = first instanceof byte[] b ? new String(b) : String.valueOf(first);
                }
            }
            out.put(key, d);
        }
        return out;
    }
}
