package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.HostPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.SafeEncoder;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Sentinel commands the watcher needs, and {@code ROLE} on data nodes, behind plain Java types: field maps as
 * Sentinel prints them, decoded replies as Strings, Longs and Lists. Interpreting them is the {@code sentinel}
 * package's job. Every method throws {@link RedisException} (never a Jedis type) and is bounded by the connection
 * timeout of {@link RedisConnections}.
 */
public final class SentinelClient {

    /** The answer of {@code SENTINEL CKQUORUM}: {@code OK ...} or the {@code NOQUORUM ...} error text. */
    public record Quorum(boolean ok, String text) {
    }

    private final RedisConnections connections;

    public SentinelClient(RedisConnections connections) {
        this.connections = connections;
    }

    /** {@code SENTINEL MYID}: the run id that {@code SENTINEL SENTINELS} on its peers shows for this Sentinel. */
    public String myId(HostPort sentinel) {
        return connections.onSentinel(sentinel, j -> j.sentinelMyId());
    }

    public List<Map<String, String>> masters(HostPort sentinel) {
        return connections.onSentinel(sentinel, j -> j.sentinelMasters());
    }

    /** {@code SENTINEL MASTER name}; empty when this Sentinel does not monitor {@code name}. */
    public Optional<Map<String, String>> master(HostPort sentinel, String name) {
        try {
            return Optional.of(connections.onSentinel(sentinel, j -> j.sentinelMaster(name)));
        } catch (RedisException.CommandFailed e) {
            if (e.getMessage().contains("No such master")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public List<Map<String, String>> replicas(HostPort sentinel, String name) {
        return connections.onSentinel(sentinel, j -> j.sentinelReplicas(name));
    }

    public List<Map<String, String>> sentinels(HostPort sentinel, String name) {
        return connections.onSentinel(sentinel, j -> j.sentinelSentinels(name));
    }

    public Quorum ckquorum(HostPort sentinel, String name) {
        try {
            Object reply = connections.onSentinel(sentinel, j -> j.sendCommand(Protocol.Command.SENTINEL, "CKQUORUM", name));
            return new Quorum(true, String.valueOf(decode(reply)));
        } catch (RedisException.CommandFailed e) {
            // NOQUORUM arrives as an error reply; it is an answer, not a failure to ask.
            String prefix = sentinel + ": ";
            String m = e.getMessage();
            return new Quorum(false, m.startsWith(prefix) ? m.substring(prefix.length()) : m);
        }
    }

    /** {@code SENTINEL GET-MASTER-ADDR-BY-NAME}; empty when the Sentinel does not know the name. */
    public Optional<HostPort> masterAddress(HostPort sentinel, String name) {
        List<String> reply = connections.onSentinel(sentinel, j -> j.sentinelGetMasterAddrByName(name));
        if (reply == null || reply.size() < 2 || reply.get(0) == null) {
            return Optional.empty();
        }
        return Optional.of(new HostPort(reply.get(0), Integer.parseInt(reply.get(1))));
    }

    /** {@code ROLE} on a data node, decoded: e.g. {@code [master, 3129659, [[127.0.0.1, 9001, 3129242]]]}. */
    public List<?> role(HostPort node) {
        return (List<?>) decode(connections.onNode(node, j -> j.sendCommand(Protocol.Command.ROLE)));
    }

    /** {@code SENTINEL FAILOVER name}: a failover without the agreement of the other Sentinels (as if o_down). */
    public void failover(HostPort sentinel, String name) {
        connections.onSentinel(sentinel, j -> j.sentinelFailover(name));
    }

    /** {@code CLIENT PAUSE ms WRITE} on a data node: writes wait (reads go on), the replication offset stays still. */
    public void pauseWrites(HostPort node, long millis) {
        connections.onNode(node, j -> j.sendCommand(Protocol.Command.CLIENT, "PAUSE", Long.toString(millis), "WRITE"));
    }

    /** {@code CLIENT UNPAUSE} on a data node. */
    public void unpause(HostPort node) {
        connections.onNode(node, j -> j.sendCommand(Protocol.Command.CLIENT, "UNPAUSE"));
    }

    /**
     * {@code REPLICAOF host port} then {@code CONFIG REWRITE} on a data node, as Sentinel reconfigures an old primary
     * (which it does only some seconds after a switch); a failed rewrite is reported, the REPLICAOF stays.
     */
    public void follow(HostPort node, HostPort primary) {
        connections.onNode(node, j -> j.replicaof(primary.host(), primary.port()));
        connections.onNode(node, j -> j.configRewrite());
    }

    /** {@code INFO} on a data node, parsed into its {@code field:value} lines. */
    public Map<String, String> info(HostPort node) {
        String text = connections.onNode(node, j -> j.info());
        Map<String, String> out = new java.util.HashMap<>();
        text.lines().forEach(l -> {
            int c = l.indexOf(':');
            if (c > 0 && !l.startsWith("#")) {
                out.put(l.substring(0, c), l.substring(c + 1).trim());
            }
        });
        return out;
    }

    static Object decode(Object reply) {
        if (reply instanceof byte[] bytes) {
            return SafeEncoder.encode(bytes);
        }
        if (reply instanceof List<?> list) {
            return list.stream().map(SentinelClient::decode).toList();
        }
        return reply;
    }
}
