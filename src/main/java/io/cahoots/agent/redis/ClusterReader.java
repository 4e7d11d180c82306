package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.ClusterNodesParser;
import io.cahoots.agent.cluster.ClusterShardsParser;
import io.cahoots.agent.cluster.ShardInfo;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.InfoReply;
import io.cahoots.agent.cluster.NodeObservation;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.SafeEncoder;

import java.util.List;

/** Reads what the observer needs from one cluster node: its view, its INFO and its CLUSTER INFO. */
public final class ClusterReader {

    private final RedisConnections connections;

    public ClusterReader(RedisConnections connections) {
        this.connections = connections;
    }

    /**
     * Never throws: a node that cannot be read becomes a failed observation with the reason.
     *
     * @param withShards also ask {@code CLUSTER SHARDS}; the observer asks one node per poll, since every
     *                   node's answer describes the whole cluster
     */
    public NodeObservation read(HostPort node, boolean withShards) {
        try {
            return connections.onNode(node, jedis -> {
                String nodes = jedis.clusterNodes();
                String clusterInfo = jedis.clusterInfo();
                // latencystats (Redis 7+) is not in the default INFO; unknown sections are ignored by older servers.
                Object info = jedis.sendCommand(Protocol.Command.INFO, "default", "commandstats", "latencystats");
                List<ShardInfo> shards = withShards
                        ? ClusterShardsParser.parse((List<?>) decode(jedis.sendCommand(Protocol.Command.CLUSTER, "SHARDS")))
                        : List.of();
                return NodeObservation.reached(node, ClusterNodesParser.parse(nodes),
                        InfoReply.parse(SafeEncoder.encode((byte[]) info)), InfoReply.parse(clusterInfo), shards);
            });
        } catch (RedisException e) {
            return NodeObservation.failed(node, stripNode(e));
        } catch (RuntimeException e) {
            // A reply we cannot parse is as good as no reply; say what it was.
            return NodeObservation.failed(node, "unreadable reply: " + e.getMessage());
        }
    }

    /** RESP replies arrive as byte[] and Long inside lists; the pure parsers take Strings. */
    static Object decode(Object reply) {
        if (reply instanceof byte[] bytes) {
            return SafeEncoder.encode(bytes);
        }
        if (reply instanceof List<?> list) {
            return list.stream().map(ClusterReader::decode).toList();
        }
        return reply;
    }

    private static String stripNode(RedisException e) {
        String prefix = e.node() + ": ";
        String m = e.getMessage();
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
