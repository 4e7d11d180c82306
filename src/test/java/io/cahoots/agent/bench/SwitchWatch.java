package io.cahoots.agent.bench;

import io.cahoots.agent.cluster.HostPort;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The benchmark's own {@code PSUBSCRIBE +switch-master} on every Sentinel: t0 of each failover. */
final class SwitchWatch implements AutoCloseable {

    record Switch(HostPort to, long nanos) {
    }

    private final List<Switch> switches = new CopyOnWriteArrayList<>();
    private final List<Jedis> connections = new ArrayList<>();

    SwitchWatch(List<HostPort> sentinels) throws InterruptedException {
        java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(sentinels.size());
        for (HostPort s : sentinels) {
            Jedis j = new Jedis(new HostAndPort(s.host(), s.port()));
            connections.add(j);
            Thread t = new Thread(() -> {
                try {
                    j.psubscribe(new JedisPubSub() {
                        @Override
                        public void onPMessage(String pattern, String channel, String message) {
                            long now = System.nanoTime();
                            String[] w = message.split(" ");
                            switches.add(new Switch(new HostPort(w[3], Integer.parseInt(w[4])), now));
                        }

                        @Override
                        public void onPSubscribe(String pattern, int count) {
                            subscribed.countDown();
                        }
                    }, "+switch-master");
                } catch (RuntimeException e) {
                    // closed at the end of the run
                }
            }, "bench-switch-" + s);
            t.setDaemon(true);
            t.start();
        }
        subscribed.await();
    }

    /** The first message received after {@code afterNanos} that names a master other than {@code from}; null if none came. */
    Switch awaitAfter(long afterNanos, HostPort from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Switch s : switches) {
                if (s.nanos() > afterNanos && !s.to().equals(from)) {
                    return s;
                }
            }
            Thread.sleep(1);
        }
        return null;
    }

    @Override
    public void close() {
        connections.forEach(Jedis::disconnect);
    }
}
