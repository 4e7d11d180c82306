package io.cahoots.agent.testing;

import io.cahoots.agent.cluster.HostPort;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A SUBSCRIBE on one data node, recording every message with the nanoTime it arrived. Like a well-behaved application
 * it subscribes again whenever its connection ends: Sentinel disconnects pub/sub clients of every node it promotes or
 * re-points ({@code CLIENT KILL TYPE pubsub}).
 */
public final class PushChannelListener implements AutoCloseable {

    public record Message(String text, long arrivedNanos) {
    }

    private final HostPort node;
    private final String channel;
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final CountDownLatch first = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile Jedis jedis;
    private volatile JedisPubSub pubSub;

    private PushChannelListener(HostPort node, String channel) {
        this.node = node;
        this.channel = channel;
    }

    public static PushChannelListener subscribe(HostPort node, String channel) throws InterruptedException {
        PushChannelListener l = new PushChannelListener(node, channel);
        Thread t = new Thread(l::run, "pubsub-listener-" + node);
        t.setDaemon(true);
        t.start();
        if (!l.first.await(5, TimeUnit.SECONDS)) {
            throw new AssertionError("could not subscribe to " + channel + " on " + node);
        }
        return l;
    }

    private void run() {
        while (!closed) {
            JedisPubSub p = new JedisPubSub() {
                @Override
                public void onMessage(String ch, String message) {
                    messages.add(new Message(message, System.nanoTime()));
                }

                @Override
                public void onSubscribe(String ch, int count) {
                    subscriptions.incrementAndGet();
                    first.countDown();
                }
            };
            try (Jedis j = new Jedis(new HostAndPort(node.host(), node.port()), DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(1000).socketTimeoutMillis(1000).build())) {
                jedis = j;
                pubSub = p;
                j.subscribe(p, channel);
            } catch (RuntimeException e) {
                // killed by Sentinel, or the node is down: subscribe again
            }
            if (!closed) {
                SseClient.sleep(10);
            }
        }
    }

    public List<Message> messages() {
        return List.copyOf(messages);
    }

    /** How many times the subscription was (re-)established. */
    public int subscriptions() {
        return subscriptions.get();
    }

    public Message await(Predicate<String> match, Duration timeout) {
        return Polling.until(timeout, Duration.ofMillis(2), () -> messages.stream().filter(m -> match.test(m.text())).findFirst(),
                Optional::isPresent, () -> "no matching pub/sub message on " + node + " within " + timeout + "; got "
                        + messages.size() + " after " + subscriptions.get() + " subscriptions").get();
    }

    @Override
    public void close() {
        closed = true;
        Jedis j = jedis;
        if (j != null) {
            j.disconnect();
        }
    }
}
