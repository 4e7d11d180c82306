package io.cahoots.agent.adapter.jedis;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.executor.SlotSizeReader;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.util.SafeEncoder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link SlotSizeReader} over pooled Jedis connections. Slots go in pages of {@link #PAGE}: per page one pipeline of
 * {@code COUNTKEYSINSLOT} + {@code GETKEYSINSLOT}, then one of {@code MEMORY USAGE} (its default nested sampling), so
 * a master of 16,384 slots costs 32 round trips and at most {@code samples} x 16,384 small commands, whatever its
 * key count. A sampled key that disappeared in between counts as absent.
 */
public final class JedisSlotSizeReader implements SlotSizeReader {

    static final int PAGE = 1024;
    private static final byte[] USAGE = SafeEncoder.encode("USAGE");

    private final RedisConnections connections;

    public JedisSlotSizeReader(RedisConnections connections) {
        this.connections = connections;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<Integer, SlotSize> measure(HostPort node, Collection<Integer> slots, int samples) {
        List<Integer> all = new ArrayList<>(slots);
        Map<Integer, SlotSize> out = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i += PAGE) {
            List<Integer> page = all.subList(i, Math.min(all.size(), i + PAGE));
            out.putAll(connections.onNode(node, jedis -> {
                Pipeline p = jedis.pipelined();
                List<Response<Object>> counts = new ArrayList<>(page.size());
                List<Response<Object>> keys = new ArrayList<>(page.size());
                for (int slot : page) {
                    counts.add(p.sendCommand(Protocol.Command.CLUSTER, "COUNTKEYSINSLOT", Integer.toString(slot)));
                    keys.add(p.sendCommand(Protocol.Command.CLUSTER, "GETKEYSINSLOT", Integer.toString(slot), Integer.toString(samples)));
                }
                p.sync();
                Pipeline q = jedis.pipelined();
                List<List<Response<Object>>> usage = new ArrayList<>(page.size());
                for (Response<Object> r : keys) {
                    List<Response<Object>> perSlot = new ArrayList<>();
                    for (byte[] key : (List<byte[]>) r.get()) {
                        perSlot.add(q.sendCommand(Protocol.Command.MEMORY, USAGE, key));
                    }
                    usage.add(perSlot);
                }
                q.sync();
                Map<Integer, SlotSize> sizes = new LinkedHashMap<>();
                for (int j = 0; j < page.size(); j++) {
                    long count = (Long) counts.get(j).get();
                    long sum = 0;
                    int seen = 0;
                    for (Response<Object> u : usage.get(j)) {
                        if (u.get() instanceof Long bytes) {
                            sum += bytes;
                            seen++;
                        }
                    }
                    sizes.put(page.get(j), new SlotSize(count, seen == 0 ? 0 : Math.round((double) sum / seen * count)));
                }
                return sizes;
            }));
        }
        return out;
    }
}
