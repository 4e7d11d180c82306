package io.cahoots.agent.adapter.jedis;

import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.InfoReply;
import io.cahoots.agent.caching.PolicyRedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.SafeEncoder;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link PolicyRedis} over the shared pooled connections: each call is one round trip (one pipeline at most), bounded
 * by {@code AGENT_REDIS_TIMEOUT} like every other command of the agent.
 */
public final class PolicyCommands implements PolicyRedis {

    /** TTL's answer for a key that is not (or no longer) on the node. */
    private static final long GONE = -2;

    private final RedisConnections connections;

    public PolicyCommands(RedisConnections connections) {
        this.connections = connections;
    }

    /**
     * One reply of a pipeline; a per-key error (MOVED or ASK while its slot migrates) means the key is not this
     * node's to judge, so it counts as absent instead of failing the whole batch.
     */
    private static long valueOr(Response<Long> r, long absent) {
        try {
            Long v = r.get();
            return v == null ? absent : v;
        } catch (JedisRedirectionException e) {
            return absent;
        }
    }

    @Override
    public MemoryState memory(HostPort node) {
        InfoReply info = InfoReply.parse(connections.onNode(node, jedis -> jedis.info("memory")));
        return new MemoryState(info.getLong("used_memory", 0), info.getLong("maxmemory", 0),
                info.get("maxmemory_policy").orElse(""));
    }

    @Override
    public void configSet(HostPort node, String setting, String value) {
        connections.onNode(node, jedis -> jedis.configSet(setting, value));
    }

    @Override
    public ScanPage scan(HostPort node, String cursor, String pattern, int count) {
        ScanParams params = new ScanParams().match(SafeEncoder.encode(pattern)).count(count);
        ScanResult<byte[]> r = connections.onNode(node, jedis -> jedis.scan(SafeEncoder.encode(cursor), params));
        return new ScanPage(r.getCursor(), r.getResult());
    }

    @Override
    public List<Long> ttls(HostPort node, List<byte[]> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        return connections.onNode(node, jedis -> {
            Pipeline p = jedis.pipelined();
            List<Response<Long>> replies = new ArrayList<>(keys.size());
            for (byte[] key : keys) {
                replies.add(p.ttl(key));
            }
            p.sync();
            List<Long> out = new ArrayList<>(replies.size());
            for (Response<Long> r : replies) {
                out.add(valueOr(r, GONE));
            }
            return out;
        });
    }

    @Override
    public List<Boolean> expireAtMost(HostPort node, List<byte[]> keys, long seconds) {
        if (keys.isEmpty()) {
            return List.of();
        }
        return connections.onNode(node, jedis -> {
            Pipeline p = jedis.pipelined();
            List<Response<Long>> replies = new ArrayList<>(keys.size());
            for (byte[] key : keys) {
                replies.add(p.expire(key, seconds, ExpiryOption.LT));
            }
            p.sync();
            List<Boolean> out = new ArrayList<>(replies.size());
            for (Response<Long> r : replies) {
                out.add(valueOr(r, 0L) == 1L);
            }
            return out;
        });
    }
}
