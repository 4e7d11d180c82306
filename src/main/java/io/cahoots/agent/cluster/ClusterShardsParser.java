package io.cahoots.agent.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses the reply of {@code CLUSTER SHARDS} (Redis 7+), given as the generic structure a RESP client
 * returns: lists of bulk strings (as {@link String}) and integers (as {@link Long}). Each shard is a flat
 * key/value list with {@code slots} (start, end pairs) and {@code nodes} (each a flat key/value list).
 * Unknown keys are ignored so that newer servers keep parsing.
 */
public final class ClusterShardsParser {

    private ClusterShardsParser() {
    }

    public static List<ShardInfo> parse(List<?> reply) {
        List<ShardInfo> shards = new ArrayList<>();
        for (Object shard : reply) {
            Map<String, Object> fields = pairs(shard);
            List<SlotRange> slots = new ArrayList<>();
            List<?> bounds = list(fields.getOrDefault("slots", List.of()));
            for (int i = 0; i + 1 < bounds.size(); i += 2) {
                slots.add(new SlotRange(asInt(bounds.get(i)), asInt(bounds.get(i + 1))));
            }
            List<ShardInfo.Node> nodes = new ArrayList<>();
            for (Object n : list(fields.getOrDefault("nodes", List.of()))) {
                Map<String, Object> nf = pairs(n);
                nodes.add(new ShardInfo.Node(
                        string(nf.get("id")).orElseThrow(() -> new IllegalArgumentException("shard node without id")),
                        string(nf.get("ip")), string(nf.get("endpoint")), string(nf.get("hostname")),
                        nf.containsKey("port") ? asInt(nf.get("port")) : asInt(nf.getOrDefault("tls-port", 0L)),
                        string(nf.get("role")).orElse("unknown"),
                        nf.containsKey("replication-offset") ? asLong(nf.get("replication-offset")) : 0,
                        string(nf.get("health")).orElse("unknown")));
            }
            shards.add(new ShardInfo(SlotRange.normalise(slots), nodes));
        }
        return shards;
    }

    private static Map<String, Object> pairs(Object o) {
        if (o instanceof Map<?, ?> m) { // RESP3 maps
            Map<String, Object> out = new HashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
            return out;
        }
        List<?> l = list(o);
        Map<String, Object> out = new HashMap<>();
        for (int i = 0; i + 1 < l.size(); i += 2) {
            out.put(String.valueOf(l.get(i)), l.get(i + 1));
        }
        return out;
    }

    private static List<?> list(Object o) {
        if (o instanceof List<?> l) {
            return l;
        }
        throw new IllegalArgumentException("expected a list in CLUSTER SHARDS reply, got " + o);
    }

    private static Optional<String> string(Object o) {
        return o == null ? Optional.empty() : Optional.of(String.valueOf(o)).filter(s -> !s.isEmpty());
    }

    private static long asLong(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        return Long.parseLong(String.valueOf(o));
    }

    private static int asInt(Object o) {
        return Math.toIntExact(asLong(o));
    }
}
