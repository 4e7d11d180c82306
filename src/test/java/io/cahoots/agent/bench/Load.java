package io.cahoots.agent.bench;

import io.cahoots.agent.cluster.ClusterNodesParser;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.redis.lab.RedisLab;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills a lab cluster fast: keys {@code key:0..n-1} are grouped by the master owning their slot and written
 * with pipelined SETs straight to that master (a cluster client would pay one round trip per key).
 */
public final class Load {

    private Load() {
    }

    public static void fill(RedisLab lab, int keys, int valueBytes) {
        String value = "v".repeat(valueBytes);
        HostPort[] owner = new HostPort[SlotRange.SLOT_COUNT];
        try (Jedis any = lab.connect(lab.masters().get(0))) {
            for (NodeEntry e : ClusterNodesParser.parse(any.clusterNodes())) {
                if (e.master()) {
                    for (SlotRange r : e.slots()) {
                        for (int s = r.start(); s <= r.end(); s++) {
                            owner[s] = e.address().orElseThrow();
                        }
                    }
                }
            }
        }
        Map<HostPort, List<String>> byOwner = new HashMap<>();
        for (int i = 0; i < keys; i++) {
            String key = "key:" + i;
            byOwner.computeIfAbsent(owner[JedisClusterCRC16.getSlot(key)], k -> new ArrayList<>()).add(key);
        }
        byOwner.entrySet().parallelStream().forEach(e -> {
            try (Jedis jedis = lab.connect(e.getKey())) {
                Pipeline p = jedis.pipelined();
                int n = 0;
                for (String key : e.getValue()) {
                    p.set(key, value);
                    if (++n % 5000 == 0) {
                        p.sync();
                    }
                }
                p.sync();
            }
        });
    }
}
