package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.ClusterNodesParser;
import io.cahoots.agent.cluster.ClusterShardsParser;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.InfoReply;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.NodeObservation;
import io.cahoots.agent.cluster.ShardInfo;
import io.cahoots.agent.cluster.ViewDigest;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Reads what the observer needs from one cluster node, in one of two ways.
 *
 * <ul>
 *   <li>{@link #read full}: {@code CLUSTER NODES} (a line per node in the cluster), {@code CLUSTER INFO},
 *       {@code INFO} and, when asked, {@code CLUSTER SHARDS}.</li>
 *   <li>{@link #cheap}: the script {@code view-digest.lua} answers with the node's own line and the
 *       {@link ViewDigest} of its view (~200 bytes whatever the cluster's size), then {@code CLUSTER INFO} and,
 *       when due, {@code INFO}. A node that refuses the script (ACL without {@code @scripting}, still loading,
 *       older than 7.0) is read in full instead; after an ACL or unknown-command refusal every later read is
 *       full, so such a deployment costs what it cost before, never less complete.</li>
 * </ul>
 */
public final class ClusterReader {

    /** latencystats (Redis 7+) is not in the default INFO; unknown sections are ignored by older servers. */
    private static final String[] INFO_SECTIONS = {"default", "commandstats", "latencystats"};
    static final String SCRIPT = script();
    static final String SCRIPT_SHA = sha1(SCRIPT);

    private final RedisConnections connections;
    private volatile boolean scriptsRefused;

    public ClusterReader(RedisConnections connections) {
        this.connections = connections;
    }

    /** A full read with INFO; kept for callers that want every node's whole view. */
    public NodeObservation read(HostPort node, boolean withShards) {
        return full(node, withShards, true);
    }

    /**
     * Never throws: a node that cannot be read becomes a failed observation with the reason.
     *
     * @param withShards also ask {@code CLUSTER SHARDS}; the observer asks one node per poll, since every
     *                   node's answer describes the whole cluster
     * @param withInfo   also read {@code INFO} (metrics have their own interval)
     */
    public NodeObservation full(HostPort node, boolean withShards, boolean withInfo) {
        return guarded(node, () -> connections.onNode(node, jedis -> {
            // One round trip for all of it.
            Pipeline p = jedis.pipelined();
            Response<Object> nodes = p.sendCommand(Protocol.Command.CLUSTER, "NODES");
            Response<Object> clusterInfo = p.sendCommand(Protocol.Command.CLUSTER, "INFO");
            Response<Object> info = withInfo ? p.sendCommand(Protocol.Command.INFO, INFO_SECTIONS) : null;
            Response<Object> shards = withShards ? p.sendCommand(Protocol.Command.CLUSTER, "SHARDS") : null;
            p.sync();
            String text = text(nodes.get());
            return NodeObservation.full(node, ClusterNodesParser.parse(text), ViewDigest.of(text), info(info),
                    InfoReply.parse(text(clusterInfo.get())), shards(shards));
        }));
    }

    /** The node's own line and view digest instead of its whole view; see the class comment. */
    public NodeObservation cheap(HostPort node, boolean withShards, boolean withInfo) {
        if (scriptsRefused) {
            return full(node, withShards, withInfo);
        }
        NodeObservation o = guarded(node, () -> connections.onNode(node, jedis -> {
            // One round trip: the script by its hash (loaded by EVAL on a NOSCRIPT), CLUSTER INFO and INFO.
            Pipeline p = jedis.pipelined();
            Response<Object> digest = p.sendCommand(Protocol.Command.EVALSHA, SCRIPT_SHA, "0");
            Response<Object> clusterInfo = p.sendCommand(Protocol.Command.CLUSTER, "INFO");
            Response<Object> info = withInfo ? p.sendCommand(Protocol.Command.INFO, INFO_SECTIONS) : null;
            Response<Object> shards = withShards ? p.sendCommand(Protocol.Command.CLUSTER, "SHARDS") : null;
            p.sync();
            List<?> reply;
            try {
                reply = (List<?>) decode(digestReply(jedis, digest));
            } catch (JedisDataException e) {
                String m = String.valueOf(e.getMessage());
                if (m.startsWith("NOPERM") || m.contains("unknown command") || m.contains("flag")) {
                    scriptsRefused = true;
                }
                return null;
            }
            String own = (String) reply.get(0);
            if (own.isEmpty()) {
                return null;
            }
            return NodeObservation.cheap(node, ClusterNodesParser.parseLine(own), (String) reply.get(1), info(info),
                    InfoReply.parse(text(clusterInfo.get())), shards(shards));
        }));
        return o != null ? o : full(node, withShards, withInfo);
    }

    /** Only the node's whole view and its digest, for a node whose cheap answer matched no view read yet. */
    public NodeObservation view(HostPort node) {
        return guarded(node, () -> connections.onNode(node, jedis -> {
            String nodes = jedis.clusterNodes();
            return NodeObservation.full(node, ClusterNodesParser.parse(nodes), ViewDigest.of(nodes), Optional.empty(),
                    InfoReply.parse(""), List.of());
        }));
    }

    private static Object digestReply(Jedis jedis, Response<Object> pipelined) {
        try {
            return pipelined.get();
        } catch (JedisDataException e) {
            if (!String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                throw e;
            }
            return jedis.sendCommand(Protocol.Command.EVAL, SCRIPT, "0");
        }
    }

    private static String text(Object reply) {
        return reply instanceof byte[] b ? SafeEncoder.encode(b) : String.valueOf(reply);
    }

    private static Optional<InfoReply> info(Response<Object> reply) {
        return reply == null ? Optional.empty() : Optional.of(InfoReply.forMetrics(text(reply.get())));
    }

    private static List<ShardInfo> shards(Response<Object> reply) {
        return reply == null ? List.of() : ClusterShardsParser.parse((List<?>) decode(reply.get()));
    }

    private static NodeObservation guarded(HostPort node, java.util.function.Supplier<NodeObservation> read) {
        try {
            return read.get();
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

    private static String script() {
        try (InputStream in = ClusterReader.class.getResourceAsStream("view-digest.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
