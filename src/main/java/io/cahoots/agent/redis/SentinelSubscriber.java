package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.lifecycle.Background;
import org.jboss.logging.Logger;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one {@code PSUBSCRIBE *} open on one Sentinel and hands every message to a {@link Listener}.
 *
 * <ol>
 *   <li>A dedicated daemon thread opens a connection ({@link RedisConnections#open}, so credentials and TLS are the
 *       agent's) and blocks in {@code PSUBSCRIBE *}.</li>
 *   <li>Once Sentinel confirms the subscription, {@link Listener#onSubscribed} runs: the caller re-reads the state,
 *       since messages sent while no subscription was open are lost for good (pub/sub keeps nothing).</li>
 *   <li>A watchdog PINGs over the subscription every {@code pingEvery}; without a PONG by the next tick the
 *       connection is closed, which ends the blocked read. A hung (e.g. SIGSTOPped) Sentinel is thus noticed within
 *       two ticks instead of never (the subscribed socket has no read timeout).</li>
 *   <li>After any end of the subscription the thread waits and reconnects: 100ms, doubling up to {@code maxBackoff},
 *       with +-20% jitter so several agents do not reconnect in lockstep; the wait resets after a subscription that
 *       got confirmed. The loop has no attempt limit on purpose -- a Sentinel may come back at any time, and the
 *       watcher's polling covers the gap -- but each wait is bounded, and {@link #close()} ends it at once.</li>
 * </ol>
 * Listener calls happen on the subscriber thread; they must return quickly (hand work to another thread).
 */
public final class SentinelSubscriber implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SentinelSubscriber.class);
    private static final long INITIAL_BACKOFF_MILLIS = 100;

    public interface Listener {
        void onMessage(HostPort sentinel, String channel, String message);

        void onSubscribed(HostPort sentinel);

        void onDisconnected(HostPort sentinel, String reason);
    }

    private final RedisConnections connections;
    private final HostPort sentinel;
    private final Listener listener;
    private final Duration pingEvery;
    private final Duration maxBackoff;
    private final ScheduledExecutorService watchdog;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Jedis current;
    private volatile Handler handler;
    private ScheduledFuture<?> watchdogTask;

    public SentinelSubscriber(RedisConnections connections, HostPort sentinel, Listener listener, Duration pingEvery,
                              Duration maxBackoff, ScheduledExecutorService watchdog) {
        this.connections = connections;
        this.sentinel = sentinel;
        this.listener = listener;
        this.pingEvery = pingEvery;
        this.maxBackoff = maxBackoff;
        this.watchdog = watchdog;
        this.thread = Background.thread("sentinel-sub-" + sentinel, this::run);
    }

    public HostPort sentinel() {
        return sentinel;
    }

    public void start() {
        thread.start();
        long every = pingEvery.toMillis();
        watchdogTask = watchdog.scheduleWithFixedDelay(this::checkAlive, every, every, TimeUnit.MILLISECONDS);
    }

    private void run() {
        long backoff = INITIAL_BACKOFF_MILLIS;
        while (!closed) {
            Handler h = new Handler();
            String reason;
            try {
                Jedis jedis = connections.open(RedisConnections.Kind.SENTINEL, sentinel);
                current = jedis;
                handler = h;
                try {
                    jedis.psubscribe(h, "*");
                    reason = "subscription ended";
                } finally {
                    handler = null;
                    current = null;
                    jedis.close();
                }
            } catch (RedisException e) {
                reason = e.getMessage();
            } catch (JedisException e) {
                reason = RedisConnections.translate(sentinel, e).getMessage();
            } catch (RuntimeException e) {
                reason = "unexpected: " + e;
                LOG.warnf(e, "subscription to Sentinel %s failed unexpectedly", sentinel);
            }
            if (closed) {
                return;
            }
            if (h.confirmed) {
                backoff = INITIAL_BACKOFF_MILLIS;
            }
            listener.onDisconnected(sentinel, reason);
            long wait = jitter(backoff);
            LOG.debugf("Sentinel %s subscription down (%s), retrying in %dms", sentinel, reason, wait);
            sleep(wait);
            backoff = Math.min(backoff * 2, maxBackoff.toMillis());
        }
    }

    /** Runs on the watchdog thread: ping, or drop a connection that did not answer the previous ping. */
    private void checkAlive() {
        Handler h = handler;
        Jedis jedis = current;
        if (h == null || jedis == null || !h.confirmed) {
            return;
        }
        if (h.pingOutstanding) {
            LOG.debugf("Sentinel %s did not answer PING within %dms: reconnecting", sentinel, pingEvery.toMillis());
            jedis.disconnect(); // ends the blocked read with an exception; run() reconnects
            return;
        }
        try {
            h.pingOutstanding = true;
            h.ping();
        } catch (JedisException | IllegalStateException e) {
            jedis.disconnect();
        }
    }

    private static long jitter(long millis) {
        return (long) (millis * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (watchdogTask != null) {
            watchdogTask.cancel(false);
        }
        Jedis jedis = current;
        if (jedis != null) {
            jedis.disconnect();
        }
        thread.interrupt();
    }

    private final class Handler extends JedisPubSub {
        volatile boolean confirmed;
        volatile boolean pingOutstanding;

        @Override
        public void onPSubscribe(String pattern, int subscribedChannels) {
            confirmed = true;
            listener.onSubscribed(sentinel);
        }

        @Override
        public void onPMessage(String pattern, String channel, String message) {
            listener.onMessage(sentinel, channel, message);
        }

        @Override
        public void onPong(String pattern) {
            pingOutstanding = false;
        }
    }
}
