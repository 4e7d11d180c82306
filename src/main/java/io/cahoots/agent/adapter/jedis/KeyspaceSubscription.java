package io.cahoots.agent.adapter.jedis;

import io.cahoots.agent.redis.RedisException;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.importer.ImportCommands;
import io.cahoots.agent.lifecycle.Background;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.SafeEncoder;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@code PSUBSCRIBE __keyspace@0__:*} held on its own connection and thread.
 *
 * <ol>
 *   <li>{@link #start} returns only after Redis acknowledged the subscription (or throws): from then on every write on
 *       the node produces a message here, which is what lets the importer start its SCAN without missing a write.</li>
 *   <li>Each message's channel is {@code __keyspace@0__:<key>}; the key is handed to the consumer, which must be quick
 *       (a slow subscriber is disconnected by the node's {@code client-output-buffer-limit pubsub}).</li>
 *   <li>When the connection ends without {@link #close()}, {@code onClosed} says why: the importer must then assume
 *       it missed writes.</li>
 * </ol>
 */
final class KeyspaceSubscription implements ImportCommands.Subscription {

    private static final byte[] PATTERN = SafeEncoder.encode("__keyspace@0__:*");
    private static final int PREFIX = "__keyspace@0__:".length();
    private static final long CONFIRM_SECONDS = 10;

    private final HostPort node;
    private final Jedis jedis;
    private final BinaryJedisPubSub pubsub;
    private volatile boolean closing;
    private volatile boolean open;

    private KeyspaceSubscription(HostPort node, Jedis jedis, Consumer<byte[]> onKey, CountDownLatch subscribed) {
        this.node = node;
        this.jedis = jedis;
        this.pubsub = new BinaryJedisPubSub() {
            @Override
            public void onPMessage(byte[] pattern, byte[] channel, byte[] message) {
                onKey.accept(Arrays.copyOfRange(channel, PREFIX, channel.length));
            }

            @Override
            public void onPSubscribe(byte[] pattern, int count) {
                open = true;
                subscribed.countDown();
            }
        };
    }

    static KeyspaceSubscription start(HostPort node, Jedis jedis, Consumer<byte[]> onKey, Consumer<String> onClosed) {
        CountDownLatch subscribed = new CountDownLatch(1);
        KeyspaceSubscription s = new KeyspaceSubscription(node, jedis, onKey, subscribed);
        Background.thread("import-keyspace-" + node, () -> s.run(onClosed, subscribed)).start();
        try {
            if (!subscribed.await(CONFIRM_SECONDS, TimeUnit.SECONDS) || !s.open) {
                s.close();
                throw new RedisException.Unavailable(node, "keyspace subscription not confirmed", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close();
            throw new RedisException.Unavailable(node, "interrupted while subscribing", e);
        }
        return s;
    }

    private void run(Consumer<String> onClosed, CountDownLatch subscribed) {
        String why = "subscription ended";
        try {
            // No read timeout on a subscription: a quiet source is not a dead one.
            jedis.getClient().setTimeoutInfinite();
            jedis.psubscribe(pubsub, PATTERN);
        } catch (RuntimeException e) {
            why = e.getMessage() == null ? e.toString() : e.getMessage();
        } finally {
            open = false;
            subscribed.countDown();
            try {
                jedis.close();
            } catch (RuntimeException ignored) {
                // the connection is already broken
            }
            if (!closing) {
                onClosed.accept(why);
            }
        }
    }

    @Override
    public HostPort node() {
        return node;
    }

    @Override
    public boolean open() {
        return open;
    }

    @Override
    public void close() {
        closing = true;
        try {
            if (pubsub.isSubscribed()) {
                pubsub.punsubscribe();
            }
        } catch (RuntimeException e) {
            // Already broken: closing the socket below ends the thread all the same.
        }
        try {
            jedis.disconnect();
        } catch (RuntimeException ignored) {
            // nothing more to release
        }
    }
}
