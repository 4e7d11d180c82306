package io.cahoots.agent.testing;

import io.cahoots.agent.cluster.HostPort;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A cluster-aware client (JedisCluster) writing and reading continuously while a job changes the cluster.
 * {@link #stopAndVerify()} stops it and checks that the client surfaced no error and that every
 * acknowledged write reads back its value.
 */
public final class ClientLoad implements AutoCloseable {

    private final JedisCluster client;
    private final ExecutorService threads;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final AtomicLong ops = new AtomicLong();

    public ClientLoad(List<HostPort> seeds, String prefix, int threadCount) {
        client = new JedisCluster(seeds.stream().map(h -> new HostAndPort(h.host(), h.port())).collect(Collectors.toSet()),
                DefaultJedisClientConfig.builder().socketTimeoutMillis(5000).build(), 20,
                new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>());
        threads = Executors.newFixedThreadPool(threadCount);
        for (int t = 0; t < threadCount; t++) {
            int thread = t;
            threads.submit(() -> {
                for (int i = 0; running.get(); i++) {
                    try {
                        String key = prefix + ":" + thread + ":" + (i % 2000);
                        String value = "v" + i;
                        client.set(key, value);
                        acknowledged.put(key, value);
                        String back = client.get(key);
                        if (!value.equals(back)) {
                            throw new AssertionError(key + " read back " + back + " right after writing " + value);
                        }
                        ops.incrementAndGet();
                    } catch (Throwable e) {
                        errors.add(e);
                        return;
                    }
                }
            });
        }
    }

    public long operations() {
        return ops.get();
    }

    public int keys() {
        return acknowledged.size();
    }

    public void stopAndVerify() throws InterruptedException {
        running.set(false);
        threads.shutdown();
        if (!threads.awaitTermination(20, TimeUnit.SECONDS)) {
            throw new AssertionError("the load did not stop");
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("the client surfaced " + errors.size() + " error(s), first: " + errors.get(0), errors.get(0));
        }
        if (ops.get() == 0) {
            throw new AssertionError("the load made no operation");
        }
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            String v = client.get(e.getKey());
            if (!e.getValue().equals(v)) {
                throw new AssertionError("acknowledged write lost: " + e.getKey() + " = " + e.getValue() + ", read " + v);
            }
        }
    }

    @Override
    public void close() {
        running.set(false);
        threads.shutdownNow();
        client.close();
    }
}
