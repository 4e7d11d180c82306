package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.HostPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The data and the applications of the import IT: mixed-type keys with and without TTLs, then a writer and a deleter
 * on the Sentinel group's current primary (asked of a Sentinel after every error, as a Sentinel-aware client does).
 */
final class SourceLoad implements AutoCloseable {

    static final String[] TYPES = {"string", "hash", "list", "set", "zset"};

    private final List<HostPort> sentinels;
    private final String master;
    private final int keys;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final Set<String> deleted = ConcurrentHashMap.newKeySet();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong deletes = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    private Thread writer;
    private Thread deleter;

    SourceLoad(List<HostPort> sentinels, String master, int keys) {
        this.sentinels = sentinels;
        this.master = master;
        this.keys = keys;
    }

    static String key(int i) {
        return "k:" + TYPES[i % TYPES.length] + ":" + i;
    }

    /** Every 3rd key expires in 10 min to 1 h, every 50th in 3 to 20 s (so expiries happen during the import). */
    static void fill(HostPort primary, int keys) {
        Random r = new Random(15);
        try (Jedis j = new Jedis(primary.host(), primary.port())) {
            Pipeline p = j.pipelined();
            for (int i = 0; i < keys; i++) {
                write(p, i, 0, r);
                if (i % 50 == 0) {
                    p.pexpire(key(i), 3_000 + r.nextInt(17_000));
                } else if (i % 3 == 0) {
                    p.expire(key(i), 600 + r.nextInt(3000));
                }
                if (i % 5000 == 4999) {
                    p.sync();
                }
            }
            p.sync();
        }
    }

    private static void write(Pipeline p, int i, long version, Random r) {
        String k = key(i);
        switch (i % TYPES.length) {
            case 0 -> p.set(k, "value-" + i + "-" + version + "-" + "x".repeat(r.nextInt(40)));
            case 1 -> p.hset(k, Map.of("f1", "a" + version, "f2", Integer.toString(i), "g" + (version % 7), "v" + version));
            case 2 -> {
                p.rpush(k, "a" + version, "b" + i, "c");
                p.ltrim(k, -8, -1);
            }
            case 3 -> p.sadd(k, "m" + (version % 11), "n" + i, "o");
            default -> p.zadd(k, Map.of("m" + (version % 13), (double) version, "n" + i, i + 0.5));
        }
    }

    void start() {
        writer = new Thread(() -> loop(false), "it-writer");
        deleter = new Thread(() -> loop(true), "it-deleter");
        writer.start();
        deleter.start();
    }

    private void loop(boolean deleting) {
        Random r = new Random(deleting ? 2 : 1);
        long version = 1;
        while (running.get()) {
            HostPort primary = primary();
            try (Jedis j = new Jedis(primary.host(), primary.port(), 2000)) {
                while (running.get()) {
                    Pipeline p = j.pipelined();
                    for (int n = 0; n < 20; n++) {
                        int i = r.nextInt(keys + keys / 10); // a tenth of the writes create new keys
                        if (deleting) {
                            p.del(key(i));
                            deleted.add(key(i));
                            deletes.incrementAndGet();
                        } else {
                            write(p, i, version++, r);
                            if (i % 7 == 0) {
                                p.expire(key(i), 100 + r.nextInt(1000));
                            }
                            deleted.remove(key(i));
                            writes.incrementAndGet();
                        }
                    }
                    p.sync();
                    Thread.sleep(deleting ? 20 : 2);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                errors.incrementAndGet(); // a failover: ask the Sentinels again
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    HostPort primary() {
        for (HostPort s : sentinels) {
            try (Jedis j = new Jedis(s.host(), s.port(), 1000)) {
                List<String> a = j.sentinelGetMasterAddrByName(master);
                return new HostPort(a.get(0), Integer.parseInt(a.get(1)));
            } catch (RuntimeException e) {
                // next Sentinel
            }
        }
        throw new IllegalStateException("no Sentinel answered");
    }

    void stop() throws InterruptedException {
        running.set(false);
        if (writer != null) {
            writer.join(10_000);
            deleter.join(10_000);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
