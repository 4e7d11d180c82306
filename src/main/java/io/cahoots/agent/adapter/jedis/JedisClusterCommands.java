package io.cahoots.agent.adapter.jedis;

import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.RedisException;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.executor.ClusterCommands;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.util.SafeEncoder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link ClusterCommands} over pooled Jedis connections, one pipeline per call. */
public final class JedisClusterCommands implements ClusterCommands, AutoCloseable {

    private final RedisConnections connections;

    public JedisClusterCommands(RedisConnections connections) {
        this.connections = connections;
    }

    @Override
    public List<Optional<String>> setSlots(HostPort node, List<Integer> slots, SlotState state, String nodeId) {
        return connections.onNode(node, jedis -> {
            Pipeline p = jedis.pipelined();
            List<Response<Object>> replies = new ArrayList<>(slots.size());
            for (int slot : slots) {
                replies.add(state == SlotState.STABLE
                        ? p.sendCommand(Protocol.Command.CLUSTER, "SETSLOT", Integer.toString(slot), "STABLE")
                        : p.sendCommand(Protocol.Command.CLUSTER, "SETSLOT", Integer.toString(slot), state.name(), nodeId));
            }
            p.sync();
            List<Optional<String>> out = new ArrayList<>(slots.size());
            for (Response<Object> r : replies) {
                out.add(errorOf(r));
            }
            return out;
        });
    }

    @Override
    public Map<Integer, List<byte[]>> keysInSlots(HostPort node, Collection<Integer> slots, int perSlot) {
        return connections.onNode(node, jedis -> {
            Pipeline p = jedis.pipelined();
            Map<Integer, Response<Object>> replies = new LinkedHashMap<>();
            for (int slot : slots) {
                replies.put(slot, p.sendCommand(Protocol.Command.CLUSTER, "GETKEYSINSLOT", Integer.toString(slot),
                        Integer.toString(perSlot)));
            }
            p.sync();
            Map<Integer, List<byte[]>> out = new LinkedHashMap<>();
            replies.forEach((slot, r) -> out.put(slot, bytesList(r.get())));
            return out;
        });
    }

    @Override
    public Map<Integer, Long> countKeysInSlots(HostPort node, Collection<Integer> slots) {
        return connections.onNode(node, jedis -> {
            Pipeline p = jedis.pipelined();
            Map<Integer, Response<Object>> replies = new LinkedHashMap<>();
            for (int slot : slots) {
                replies.put(slot, p.sendCommand(Protocol.Command.CLUSTER, "COUNTKEYSINSLOT", Integer.toString(slot)));
            }
            p.sync();
            Map<Integer, Long> out = new LinkedHashMap<>();
            replies.forEach((slot, r) -> out.put(slot, (Long) r.get()));
            return out;
        });
    }

    @Override
    public List<MigrateResult> migrate(HostPort source, HostPort target, List<List<byte[]>> batches, boolean replace,
                                       int timeoutMillis) {
        return migrate(source, target, batches, replace, timeoutMillis, false);
    }

    @Override
    public List<MigrateResult> migrateAsking(HostPort source, HostPort target, List<List<byte[]>> batches, boolean replace,
                                             int timeoutMillis) {
        return migrate(source, target, batches, replace, timeoutMillis, true);
    }

    @Override
    public void addSlots(HostPort node, List<Integer> slots) {
        List<String> args = new ArrayList<>();
        args.add("ADDSLOTSRANGE");
        for (io.cahoots.agent.cluster.SlotRange r : io.cahoots.agent.cluster.SlotRange.fromBits(bits(slots))) {
            args.add(Integer.toString(r.start()));
            args.add(Integer.toString(r.end()));
        }
        connections.onNode(node, jedis -> jedis.sendCommand(Protocol.Command.CLUSTER, args.toArray(new String[0])));
    }

    @Override
    public Probe probe(HostPort node) {
        return connections.onNode(node, jedis -> {
            String info = jedis.info("cluster");
            boolean enabled = info.contains("cluster_enabled:1");
            long keys = jedis.dbSize();
            if (!enabled) {
                return new Probe(false, keys, 0, null);
            }
            List<io.cahoots.agent.cluster.NodeEntry> nodes = io.cahoots.agent.cluster.ClusterNodesParser.parse(jedis.clusterNodes());
            return new Probe(true, keys, nodes.size(), jedis.clusterMyId());
        });
    }

    @Override
    public List<io.cahoots.agent.cluster.NodeEntry> clusterNodes(HostPort node) {
        return connections.onNode(node, jedis -> io.cahoots.agent.cluster.ClusterNodesParser.parse(jedis.clusterNodes()));
    }

    @Override
    public void meet(HostPort node, HostPort other, int otherBusPort) {
        connections.onNode(node, jedis -> jedis.sendCommand(Protocol.Command.CLUSTER, "MEET", other.host(),
                Integer.toString(other.port()), Integer.toString(otherBusPort)));
    }

    @Override
    public void replicate(HostPort node, String masterId) {
        connections.onNode(node, jedis -> jedis.clusterReplicate(masterId));
    }

    @Override
    public Optional<String> forget(HostPort node, String id) {
        try {
            connections.onNode(node, jedis -> jedis.clusterForget(id));
            return Optional.empty();
        } catch (RedisException.CommandFailed e) {
            return Optional.of(e.getMessage());
        }
    }

    @Override
    public NodeStatus status(HostPort node) {
        return connections.onNode(node, jedis -> {
            // INFO first: a node still loading its data answers INFO but may refuse the cluster commands.
            Map<String, String> info = fields(jedis.info());
            boolean loading = "1".equals(info.get("loading"));
            boolean master = "master".equals(info.get("role"));
            long offset = parseLong(info.get(master ? "master_repl_offset" : "slave_repl_offset"));
            boolean linkUp = master || "up".equals(info.get("master_link_status"));
            boolean syncing = "1".equals(info.get("master_sync_in_progress"));
            String runId = info.get("run_id");
            if (loading) {
                return new NodeStatus(null, master, linkUp, offset, syncing, true, false, runId);
            }
            boolean ok = "ok".equals(fields(jedis.clusterInfo()).get("cluster_state"));
            return new NodeStatus(jedis.clusterMyId(), master, linkUp, offset, syncing, false, ok, runId);
        });
    }

    @Override
    public void failover(HostPort replica) {
        connections.onNode(replica, jedis -> jedis.sendCommand(Protocol.Command.CLUSTER, "FAILOVER"));
    }

    private static Map<String, String> fields(String text) {
        Map<String, String> out = new java.util.HashMap<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                out.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    private static long parseLong(String v) {
        try {
            return v == null ? -1 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void bumpEpoch(HostPort node) {
        connections.onNode(node, jedis -> jedis.sendCommand(Protocol.Command.CLUSTER, "BUMPEPOCH"));
    }

    @Override
    public void resetHard(HostPort node) {
        connections.onNode(node, jedis -> jedis.sendCommand(Protocol.Command.CLUSTER, "RESET", "HARD"));
    }

    private static java.util.BitSet bits(List<Integer> slots) {
        java.util.BitSet b = new java.util.BitSet();
        slots.forEach(b::set);
        return b;
    }

    private List<MigrateResult> migrate(HostPort source, HostPort target, List<List<byte[]>> batches, boolean replace,
                                        int timeoutMillis, boolean asking) {
        List<byte[]> head = migrateHead(target, replace, timeoutMillis);
        List<Response<Object>> replies = new ArrayList<>(batches.size());
        connections.onNode(source, jedis -> {
            // A MIGRATE of a big batch may outlast the pool's socket timeout: wait as long as Redis may take.
            int pooled = jedis.getConnection().getSoTimeout();
            jedis.getConnection().setSoTimeout(Math.max(pooled, timeoutMillis + 5_000));
            try {
                migratePipeline(jedis, head, batches, asking, replies);
            } finally {
                jedis.getConnection().setSoTimeout(pooled);
            }
            return null;
        });
        return results(source, target, replies);
    }

    private static void migratePipeline(redis.clients.jedis.Jedis jedis, List<byte[]> head, List<List<byte[]>> batches,
                                        boolean asking, List<Response<Object>> replies) {
        Pipeline p = jedis.pipelined();
        for (List<byte[]> keys : batches) {
            if (asking) {
                p.sendCommand(Protocol.Command.ASKING, new byte[0][]);
            }
            List<byte[]> args = new ArrayList<>(head.size() + keys.size());
            args.addAll(head);
            args.addAll(keys);
            replies.add(p.sendCommand(Protocol.Command.MIGRATE, args.toArray(new byte[0][])));
        }
        p.sync();
    }

    private static List<MigrateResult> results(HostPort source, HostPort target, List<Response<Object>> replies) {
        List<MigrateResult> out = new ArrayList<>(replies.size());
        for (Response<Object> r : replies) {
            Optional<String> error = errorOf(r);
            if (error.isEmpty()) {
                Object reply = r.get();
                String status = reply instanceof byte[] b ? SafeEncoder.encode(b) : String.valueOf(reply);
                out.add("NOKEY".equals(status) ? MigrateResult.NOKEY : MigrateResult.OK);
            } else if (error.get().contains("BUSYKEY")) {
                out.add(MigrateResult.BUSYKEY);
            } else if (RedisConnections.isTransient(error.get())) {
                // The source could not reach the target in time, or the target is settling: worth another try.
                throw new RedisException.Unavailable(source, "MIGRATE to " + target + ": " + error.get(), null);
            } else {
                throw new RedisException.CommandFailed(source, "MIGRATE to " + target + ": " + error.get(), null);
            }
        }
        return out;
    }

    /** {@code host port "" 0 timeout [REPLACE] [AUTH pw | AUTH2 user pw] KEYS}, the part every MIGRATE shares. */
    private List<byte[]> migrateHead(HostPort target, boolean replace, int timeoutMillis) {
        List<byte[]> args = new ArrayList<>(10);
        args.add(SafeEncoder.encode(target.host()));
        args.add(SafeEncoder.encode(Integer.toString(target.port())));
        args.add(new byte[0]);
        args.add(SafeEncoder.encode("0"));
        args.add(SafeEncoder.encode(Integer.toString(timeoutMillis)));
        if (replace) {
            args.add(SafeEncoder.encode("REPLACE"));
        }
        Credentials c = connections.dataCredentials();
        if (c.password().isPresent()) {
            if (c.username().isPresent()) {
                args.add(SafeEncoder.encode("AUTH2"));
                args.add(SafeEncoder.encode(c.username().get()));
            } else {
                args.add(SafeEncoder.encode("AUTH"));
            }
            args.add(SafeEncoder.encode(c.password().get()));
        }
        args.add(SafeEncoder.encode("KEYS"));
        return args;
    }

    /*
     * exists and dump are per key, not pipelined: on the source of a migration a key that already left
     * answers with an ASK redirection, which Jedis raises for the whole pipeline. They only run on the
     * rare BUSYKEY path, where a round trip per key does not matter.
     */

    @Override
    public List<Boolean> exists(HostPort node, List<byte[]> keys) {
        return connections.onNode(node, jedis -> {
            List<Boolean> out = new ArrayList<>(keys.size());
            for (byte[] key : keys) {
                try {
                    jedis.sendCommand(Protocol.Command.ASKING, new byte[0][]);
                    out.add(((Long) jedis.sendCommand(Protocol.Command.EXISTS, key)) > 0);
                } catch (JedisRedirectionException moved) {
                    out.add(false);
                }
            }
            return out;
        });
    }

    @Override
    public List<Optional<byte[]>> dump(HostPort node, List<byte[]> keys) {
        return connections.onNode(node, jedis -> {
            List<Optional<byte[]>> out = new ArrayList<>(keys.size());
            for (byte[] key : keys) {
                try {
                    jedis.sendCommand(Protocol.Command.ASKING, new byte[0][]);
                    out.add(Optional.ofNullable((byte[]) jedis.sendCommand(Protocol.Command.DUMP, key)));
                } catch (JedisRedirectionException moved) {
                    out.add(Optional.empty());
                }
            }
            return out;
        });
    }

    @Override
    public List<Long> memoryUsage(HostPort node, List<byte[]> keys) {
        return connections.onNode(node, jedis -> {
            Pipeline p = jedis.pipelined();
            List<Response<Object>> replies = new ArrayList<>(keys.size());
            byte[] usage = SafeEncoder.encode("USAGE");
            for (byte[] key : keys) {
                p.sendCommand(Protocol.Command.ASKING, new byte[0][]);
                replies.add(p.sendCommand(Protocol.Command.MEMORY, usage, key));
            }
            p.sync();
            List<Long> out = new ArrayList<>(keys.size());
            for (Response<Object> r : replies) {
                // Gone (nil), or moved on meanwhile (an ASK redirection): nothing of it to move here.
                out.add(errorOf(r).isEmpty() && r.get() instanceof Long n ? n : 0L);
            }
            return out;
        });
    }

    @Override
    public Limits limits(HostPort node) {
        return connections.onNode(node, jedis -> {
            // A server that does not name a parameter (a proxy, an older Redis) gets Redis' own default for it.
            long bulk = configLong(jedis, "proto-max-bulk-len", 512L * 1024 * 1024);
            long max = configLong(jedis, "maxmemory", 0);
            long used = 0;
            for (String line : jedis.info("memory").split("\r?\n")) {
                if (line.startsWith("used_memory:")) {
                    used = Long.parseLong(line.substring("used_memory:".length()).trim());
                }
            }
            return new Limits(bulk, max, used);
        });
    }

    private static long configLong(redis.clients.jedis.Jedis jedis, String parameter, long fallback) {
        java.util.Iterator<String> values = jedis.configGet(parameter).values().iterator();
        return values.hasNext() ? Long.parseLong(values.next()) : fallback;
    }

    @Override
    public Pinger pinger(HostPort node) {
        redis.clients.jedis.Jedis jedis = connections.open(RedisConnections.Kind.DATA, node);
        return new Pinger() {
            @Override
            public void ping() {
                try {
                    jedis.ping();
                } catch (redis.clients.jedis.exceptions.JedisException e) {
                    throw RedisConnections.translate(node, e);
                }
            }

            @Override
            public String commandStats() {
                try {
                    return jedis.info("commandstats");
                } catch (redis.clients.jedis.exceptions.JedisException e) {
                    throw RedisConnections.translate(node, e);
                }
            }

            @Override
            public void close() {
                jedis.close();
            }
        };
    }

    @Override
    public void close() {
        connections.close();
    }

    private static Optional<String> errorOf(Response<Object> r) {
        try {
            r.get();
            return Optional.empty();
        } catch (JedisDataException e) {
            return Optional.of(e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<byte[]> bytesList(Object reply) {
        return reply == null ? List.of() : (List<byte[]>) reply;
    }

}
