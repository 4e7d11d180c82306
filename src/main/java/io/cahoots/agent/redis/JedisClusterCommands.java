package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.executor.ClusterCommands;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
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
    public MigrateResult migrate(HostPort source, HostPort target, List<byte[]> keys, boolean replace, int timeoutMillis) {
        List<byte[]> args = new ArrayList<>(keys.size() + 12);
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
        args.addAll(keys);
        try {
            return connections.onNode(source, jedis -> {
                Object reply = jedis.sendCommand(Protocol.Command.MIGRATE, args.toArray(new byte[0][]));
                String status = reply instanceof byte[] b ? SafeEncoder.encode(b) : String.valueOf(reply);
                return "NOKEY".equals(status) ? MigrateResult.NOKEY : MigrateResult.OK;
            });
        } catch (RedisException.CommandFailed e) {
            if (e.getMessage().contains("BUSYKEY")) {
                return MigrateResult.BUSYKEY;
            }
            if (e.getMessage().contains("IOERR")) {
                // The source could not reach the target in time: worth another try.
                throw new RedisException.Unavailable(source, e.getMessage().substring(e.getMessage().indexOf("IOERR")), e);
            }
            throw e;
        }
    }

    @Override
    public List<Boolean> exists(HostPort node, List<byte[]> keys) {
        return connections.onNode(node, jedis -> {
            Pipeline p = jedis.pipelined();
            List<Response<Object>> replies = new ArrayList<>();
            for (byte[] key : keys) {
                p.sendCommand(Protocol.Command.ASKING, new byte[0][]);
                replies.add(p.sendCommand(Protocol.Command.EXISTS, key));
            }
            p.sync();
            return replies.stream().map(r -> ((Long) r.get()) > 0).toList();
        });
    }

    @Override
    public List<Optional<byte[]>> dump(HostPort node, List<byte[]> keys) {
        return connections.onNode(node, jedis -> {
            Pipeline p = jedis.pipelined();
            List<Response<Object>> replies = new ArrayList<>();
            for (byte[] key : keys) {
                p.sendCommand(Protocol.Command.ASKING, new byte[0][]);
                replies.add(p.sendCommand(Protocol.Command.DUMP, key));
            }
            p.sync();
            List<Optional<byte[]>> out = new ArrayList<>();
            for (Response<Object> r : replies) {
                out.add(Optional.ofNullable((byte[]) r.get()));
            }
            return out;
        });
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
