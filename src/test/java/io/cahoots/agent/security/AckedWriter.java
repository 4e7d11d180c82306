package io.cahoots.agent.security;

import redis.clients.jedis.JedisCluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Writes keys through a cluster client while a job moves slots, and remembers only the writes the cluster
 * acknowledged: those must all read back afterwards. A write refused mid-move (a redirect storm, a transient
 * CLUSTERDOWN) was never acknowledged, so it is not expected either.
 */
final class AckedWriter implements AutoCloseable {

    private final JedisCluster client;
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    AckedWriter(JedisCluster client, String prefix, int preload) {
        this.client = client;
        for (int i = 0; i < preload; i++) {
            client.set(prefix + ":pre:" + i, "v" + i);
            acknowledged.put(prefix + ":pre:" + i, "v" + i);
        }
        thread = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                try {
                    client.set(prefix + ":live:" + i, "w" + i);
                    acknowledged.put(prefix + ":live:" + i, "w" + i);
                } catch (RuntimeException notAcknowledged) {
                    // not acknowledged: not expected to be there
                }
            }
        }, "acked-writer");
        thread.start();
    }

    /** Stops writing; answers the acknowledged keys that are missing or changed (at most 10), and how many were written. */
    List<String> stopAndFindLost() throws InterruptedException {
        stop.set(true);
        thread.join(10_000);
        return acknowledged.entrySet().stream().filter(e -> !e.getValue().equals(client.get(e.getKey())))
                .map(Map.Entry::getKey).limit(10).collect(Collectors.toList());
    }

    int written() {
        return acknowledged.size();
    }

    @Override
    public void close() {
        stop.set(true);
    }
}
