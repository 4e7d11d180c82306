package io.cahoots.agent.adapter.jedis;

import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.importer.ImportCommands;
import io.cahoots.agent.importer.KeyState;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.SafeEncoder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** {@link ImportCommands} over pooled Jedis connections (a long socket timeout: pipelines carry thousands of keys). */
public final class JedisImportCommands implements ImportCommands {

    private static final byte[] REPLACE = SafeEncoder.encode("REPLACE");

    private final RedisConnections connections;

    public JedisImportCommands(RedisConnections connections) {
        this.connections = connections;
    }

    @Override
    public ScanPage scan(HostPort node, String cursor, int count) {
        return connections.onNode(node, j -> {
            ScanResult<byte[]> r = j.scan(SafeEncoder.encode(cursor), new ScanParams().count(count));
            return new ScanPage(r.getCursor(), r.getResult());
        });
    }

    @Override
    public List<Dumped> dump(HostPort node, List<byte[]> keys) {
        return connections.onNode(node, j -> {
            Pipeline p = j.pipelined();
            List<Response<byte[]>> dumps = new ArrayList<>(keys.size());
            List<Response<Long>> ttls = new ArrayList<>(keys.size());
            for (byte[] k : keys) {
                dumps.add(p.dump(k));
                ttls.add(p.pttl(k));
            }
            p.sync();
            List<Dumped> out = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                out.add(new Dumped(keys.get(i), dumps.get(i).get(), ttls.get(i).get()));
            }
            return out;
        });
    }

    @Override
    public List<Optional<String>> write(HostPort node, List<Dumped> entries) {
        return connections.onNode(node, j -> {
            Pipeline p = j.pipelined();
            List<Response<Object>> replies = new ArrayList<>(entries.size());
            for (Dumped d : entries) {
                if (d.gone()) {
                    replies.add(p.sendCommand(Protocol.Command.DEL, d.key()));
                } else {
                    // Relative TTL read a moment ago on the source: the target's expiry lands within the pipeline's
                    // latency of the source's, far inside the verification tolerance.
                    long ttl = Math.max(0, d.pttl());
                    if (d.pttl() >= 0 && ttl == 0) {
                        ttl = 1; // 0 would mean "no expiry": let it expire at once instead
                    }
                    replies.add(p.sendCommand(Protocol.Command.RESTORE, d.key(), SafeEncoder.encode(Long.toString(ttl)),
                            d.payload(), REPLACE));
                }
            }
            p.sync();
            List<Optional<String>> out = new ArrayList<>(entries.size());
            for (Response<Object> r : replies) {
                out.add(errorOf(r));
            }
            return out;
        });
    }

    @Override
    public List<Optional<String>> migrateCopy(HostPort source, HostPort target, List<List<byte[]>> batches,
                                              int timeoutMillis) {
        List<byte[]> head = new ArrayList<>(12);
        head.add(SafeEncoder.encode(target.host()));
        head.add(SafeEncoder.encode(Integer.toString(target.port())));
        head.add(new byte[0]);
        head.add(SafeEncoder.encode("0"));
        head.add(SafeEncoder.encode(Integer.toString(timeoutMillis)));
        head.add(SafeEncoder.encode("COPY"));
        head.add(REPLACE);
        Credentials c = connections.dataCredentials();
        if (c.password().isPresent()) {
            if (c.username().isPresent()) {
                head.add(SafeEncoder.encode("AUTH2"));
                head.add(SafeEncoder.encode(c.username().get()));
            } else {
                head.add(SafeEncoder.encode("AUTH"));
            }
            head.add(SafeEncoder.encode(c.password().get()));
        }
        head.add(SafeEncoder.encode("KEYS"));
        return connections.onNode(source, j -> {
            Pipeline p = j.pipelined();
            List<Response<Object>> replies = new ArrayList<>(batches.size());
            for (List<byte[]> keys : batches) {
                List<byte[]> args = new ArrayList<>(head.size() + keys.size());
                args.addAll(head);
                args.addAll(keys);
                replies.add(p.sendCommand(Protocol.Command.MIGRATE, args.toArray(new byte[0][])));
            }
            p.sync();
            List<Optional<String>> out = new ArrayList<>(batches.size());
            for (Response<Object> r : replies) {
                out.add(errorOf(r));
            }
            return out;
        });
    }

    @Override
    public List<KeyInfo> inspect(HostPort node, List<byte[]> keys) {
        return connections.onNode(node, j -> {
            Pipeline p = j.pipelined();
            List<Response<String>> types = new ArrayList<>(keys.size());
            List<Response<Object>> sizes = new ArrayList<>(keys.size());
            for (byte[] k : keys) {
                types.add(p.type(k));
                sizes.add(p.sendCommand(Protocol.Command.MEMORY, SafeEncoder.encode("USAGE"), k));
            }
            p.sync();
            List<KeyInfo> out = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                Object size = safe(sizes.get(i));
                out.add(new KeyInfo(keys.get(i), types.get(i).get(), size instanceof Long l ? l : 0));
            }
            return out;
        });
    }

    @Override
    public List<KeyState> probe(HostPort node, List<byte[]> keys) {
        return connections.onNode(node, j -> {
            Pipeline p = j.pipelined();
            List<Response<String>> types = new ArrayList<>(keys.size());
            List<Response<byte[]>> dumps = new ArrayList<>(keys.size());
            List<Response<Long>> ttls = new ArrayList<>(keys.size());
            for (byte[] k : keys) {
                types.add(p.type(k));
                dumps.add(p.dump(k));
                ttls.add(p.pttl(k));
            }
            p.sync();
            List<KeyState> out = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                String type = types.get(i).get();
                byte[] payload = dumps.get(i).get();
                out.add("none".equals(type) || payload == null ? KeyState.ABSENT
                        : new KeyState(type, stripTrailer(payload), ttls.get(i).get()));
            }
            return out;
        });
    }

    /** The DUMP payload ends with the RDB version (2 bytes) and a CRC64 (8 bytes): only the value is compared. */
    private static byte[] stripTrailer(byte[] payload) {
        return payload.length > 10 ? Arrays.copyOf(payload, payload.length - 10) : payload;
    }

    @Override
    public byte[] canonical(HostPort node, byte[] key, String type) {
        return connections.onNode(node, j -> {
            MessageDigest md = sha256();
            switch (type) {
                case "string" -> update(md, j.get(key));
                case "list" -> j.lrange(key, 0, -1).forEach(v -> update(md, v));
                case "set" -> j.smembers(key).stream().sorted(Arrays::compare).forEach(v -> update(md, v));
                case "hash" -> j.hgetAll(key).entrySet().stream().sorted(Map.Entry.comparingByKey(Arrays::compare))
                        .forEach(e -> {
                            update(md, e.getKey());
                            update(md, e.getValue());
                        });
                case "zset" -> j.zrangeWithScores(key, 0, -1).forEach(t -> {
                    update(md, t.getBinaryElement());
                    update(md, Double.toString(t.getScore()).getBytes(StandardCharsets.US_ASCII));
                });
                default -> {
                    byte[] d = j.dump(key); // streams and others: the payload is the best there is
                    update(md, d == null ? null : stripTrailer(d));
                }
            }
            return md.digest();
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest md, byte[] value) {
        if (value == null) {
            md.update((byte) 0);
            return;
        }
        // Length-prefixed, so that ("ab","c") and ("a","bc") differ.
        md.update(SafeEncoder.encode(Integer.toString(value.length) + ":"));
        md.update(value);
    }

    @Override
    public Map<String, String> info(HostPort node, String section) {
        return connections.onNode(node, j -> {
            Map<String, String> out = new LinkedHashMap<>();
            for (String line : j.info(section).split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.startsWith("#")) {
                    out.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
            return out;
        });
    }

    @Override
    public String configGet(HostPort node, String parameter) {
        return connections.onNode(node, j -> {
            Map<String, String> r = j.configGet(parameter);
            return r.getOrDefault(parameter, "");
        });
    }

    @Override
    public void configSet(HostPort node, String parameter, String value) {
        connections.onNode(node, j -> j.configSet(parameter, value));
    }

    @Override
    public Subscription subscribeKeyspace(HostPort node, Consumer<byte[]> onKey, Consumer<String> onClosed) {
        Jedis jedis = connections.open(RedisConnections.Kind.DATA, node);
        return KeyspaceSubscription.start(node, jedis, onKey, onClosed);
    }

    private static Object safe(Response<Object> r) {
        try {
            return r.get();
        } catch (JedisDataException e) {
            return null;
        }
    }

    private static Optional<String> errorOf(Response<Object> r) {
        try {
            r.get();
            return Optional.empty();
        } catch (JedisDataException e) {
            return Optional.of(e.getMessage() == null ? "error" : e.getMessage());
        }
    }

    static Comparator<byte[]> bytes() {
        return Arrays::compare;
    }
}
