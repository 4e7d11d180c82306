package io.cahoots.agent.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * {@code GET /api/v1/cluster} and {@code /cluster/check} answers shaped like the agent's (every field of
 * ClusterView.Node, per-command p99 maps included, so the size per node is realistic), for any number of
 * masters. Each master holds two ranges (one from each half of the keyspace, as after a few rebalances);
 * together they cover all 16,384 slots. Addresses are loopback ports nobody listens on: nothing connects.
 */
final class SyntheticCluster {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] COMMANDS = {"get", "set", "del", "expire", "hgetall", "hset", "mget", "info",
            "cluster|nodes", "cluster|info", "ping", "client|setname"};

    final List<Map<String, Object>> nodes = new ArrayList<>();
    final int masters;
    long version = 7;
    String state = "ok";

    SyntheticCluster(int masters, int replicasPerMaster, long seed) {
        this.masters = masters;
        Random random = new Random(seed);
        int chunks = masters * 2;
        int port = 20000;
        for (int m = 0; m < masters; m++) {
            String id = id(m);
            List<int[]> slots = List.of(chunk(m, chunks), chunk(chunks - 1 - m, chunks));
            nodes.add(node(id, "127.0.0.1:" + port++, "master", null, slots, random));
            for (int r = 0; r < replicasPerMaster; r++) {
                nodes.add(node(id(masters + m * replicasPerMaster + r), "127.0.0.1:" + port++, "replica", id, List.of(), random));
            }
        }
    }

    static String id(int i) {
        return String.format("%040x", (long) i * 2654435761L + 0xabcdefL);
    }

    private static int[] chunk(int i, int chunks) {
        return new int[]{(int) ((long) i * 16384 / chunks), (int) ((long) (i + 1) * 16384 / chunks) - 1};
    }

    private static Map<String, Object> node(String id, String address, String role, String masterId, List<int[]> slots,
                                            Random random) {
        Map<String, Object> n = new LinkedHashMap<>();
        int slotCount = slots.stream().mapToInt(s -> s[1] - s[0] + 1).sum();
        long keys = 1000L + random.nextInt(200_000);
        long hits = random.nextInt(1_000_000);
        long misses = random.nextInt(100_000);
        n.put("id", id);
        n.put("address", address);
        n.put("endpoint", address);
        n.put("role", role);
        if (masterId != null) {
            n.put("masterId", masterId);
        }
        n.put("slots", slots);
        n.put("slotCount", slotCount);
        n.put("keys", keys);
        n.put("usedMemoryBytes", keys * 180 + 2_000_000);
        n.put("maxMemoryBytes", 2L * 1024 * 1024 * 1024);
        n.put("opsPerSec", (long) random.nextInt(50_000));
        n.put("connectedClients", (long) random.nextInt(500));
        n.put("keyspaceHits", hits);
        n.put("keyspaceMisses", misses);
        if (role.equals("master")) {
            n.put("hitRatio", hits + misses == 0 ? 0.0 : (double) hits / (hits + misses));
        }
        n.put("replicationOffset", (long) random.nextInt(1_000_000_000));
        if (masterId != null) {
            n.put("replicationLagBytes", (long) random.nextInt(1000));
        }
        n.put("commandLatencyUsec", random.nextDouble() * 100);
        Map<String, Double> p99 = new TreeMap<>();
        for (String c : COMMANDS) {
            p99.put(c, Math.round(random.nextDouble() * 100_000) / 1000.0);
        }
        n.put("p99LatencyUsec", p99);
        n.put("health", "ok");
        n.put("flags", List.of(role.equals("master") ? "master" : "slave"));
        n.put("linkState", "connected");
        n.put("configEpoch", 1L);
        n.put("migrating", Map.of());
        n.put("importing", Map.of());
        return n;
    }

    Map<String, Object> node(int index) {
        return nodes.get(index);
    }

    /** Every node's ops/s changes, as between two polls of a busy cluster. */
    void tick(Random random) {
        for (Map<String, Object> n : nodes) {
            n.put("opsPerSec", (long) random.nextInt(50_000));
        }
    }

    String clusterJson() {
        int assigned = nodes.stream().filter(n -> n.get("role").equals("master")).mapToInt(n -> (int) n.get("slotCount")).sum();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("version", version);
        c.put("state", state);
        c.put("takenAt", "2026-11-27T10:00:00Z");
        c.put("pollMillis", 42);
        c.put("slotsAssigned", assigned);
        c.put("checkOk", true);
        c.put("nodes", nodes);
        return write(c);
    }

    static String okCheckJson(long version) {
        return write(Map.of("version", version, "takenAt", "2026-11-27T10:00:00Z", "ok", true, "agree", true,
                "openSlots", List.of(), "uncoveredSlots", List.of(), "multiOwnedSlots", List.of(), "failedSlots", List.of(),
                "unreachable", List.of(), "problems", List.of()));
    }

    static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
