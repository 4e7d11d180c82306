package io.cahoots.agent.testing;

import io.cahoots.agent.cluster.HostPort;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A SUBSCRIBE on one data node, recording every message with the nanoTime it arrived. */
public final class PushChannelListener implements AutoCloseable {

    public record Message(String text, long arrivedNanos) {
    }

    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final Jedis jedis;
    private final JedisPubSub pubSub;

    private PushChannelListener(HostPort node, String channel) throws InterruptedException {
        jedis = new Jedis(new HostAndPort(node.host(), node.port()), DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(2000).socketTimeoutMillis(2000).build());
        CountDownLatch subscribed = new CountDownLatch(1);
        pubSub = new JedisPubSub() {
            @Override
            public void onMessage(String ch, String message) {
                messages.add(new Message(message, System.nanoTime()));
            }

            @Override
            public void onSubscribe(String ch, int count) {
                subscribed.countDown();
            }
        };
        Thread t = new Thread(() -> {
            try {
                jedis.subscribe(pubSub, channel);
            } catch (RuntimeException e) {
                // node killed or listener closed
            }
        }, "pubsub-listener-" + node);
        t.setDaemon(true);
        t.start();
        if (!subscribed.await(5, TimeUnit.SECONDS)) {
            throw new AssertionError("could not subscribe to " + channel + " on " + node);
        }
    }

    public static PushChannelListener subscribe(HostPort node, String channel) throws InterruptedException {
        return new PushChannelListener(node, channel);
    }

    public List<Message> messages() {
        return List.copyOf(messages);
    }

    public Message await(Predicate<String> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Message m : messages) {
                if (match.test(m.text())) {
                    return m;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching pub/sub message within " + timeout + "; got " + messages.size());
            }
            SseClient.sleep(2);
        }
    }

    @Override
    public void close() {
        try {
            pubSub.unsubscribe();
        } catch (RuntimeException ignored) {
            // connection already gone
        }
        jedis.disconnect();
    }
}
