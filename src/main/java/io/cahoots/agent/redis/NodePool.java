package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.HostPort;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The connections to one node: at most {@link #MAX_TOTAL} in use at once, at most {@link #MAX_IDLE} kept open
 * between uses. It replaces a {@code JedisPool} per node because the agent keeps one pool for every node of a cluster
 * of up to 1,000 nodes, and commons-pool keeps about 8 KB of timing statistics per pool that nobody reads (issue 12:
 * 8 MB of a 96 MB heap at 1,000 nodes). The rules are the ones the agent used with {@code JedisPool}: a connection
 * that failed is closed, never reused; one whose work threw anything but a Redis reply is closed too, since it may
 * hold unread replies; a caller waits at most the timeout for a free connection.
 */
final class NodePool implements AutoCloseable {

    static final int MAX_TOTAL = 16;
    static final int MAX_IDLE = 4;

    private final HostAndPort address;
    private final JedisClientConfig config;
    private final Duration waitLimit;
    private final Semaphore permits = new Semaphore(MAX_TOTAL);
    private final ConcurrentLinkedDeque<Jedis> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private volatile boolean closed;

    NodePool(HostPort node, JedisClientConfig config, Duration waitLimit) {
        this.address = new HostAndPort(node.host(), node.port());
        this.config = config;
        this.waitLimit = waitLimit;
    }

    <T> T run(Function<Jedis, T> work) {
        acquire();
        Jedis jedis = null;
        boolean reusable = false;
        try {
            jedis = take();
            T result = work.apply(jedis);
            reusable = true;
            return result;
        } catch (redis.clients.jedis.exceptions.JedisDataException e) {
            reusable = true; // an error reply: the connection read it whole and is fine
            throw e;
        } finally {
            if (jedis != null) {
                give(jedis, reusable && !jedis.isBroken());
            }
            permits.release();
        }
    }

    private void acquire() {
        try {
            if (!permits.tryAcquire(waitLimit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new JedisConnectionException("no free connection to " + address + " within " + waitLimit.toMillis()
                        + " ms (" + MAX_TOTAL + " in use)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JedisConnectionException("interrupted while waiting for a connection to " + address, e);
        }
    }

    private Jedis take() {
        Jedis jedis = idle.pollFirst();
        if (jedis != null) {
            idleCount.decrementAndGet();
            return jedis;
        }
        return new Jedis(address, config);
    }

    private void give(Jedis jedis, boolean reusable) {
        if (reusable && !closed && idleCount.incrementAndGet() <= MAX_IDLE) {
            idle.offerFirst(jedis);
            if (closed && idle.remove(jedis)) { // closed meanwhile: close() may have missed it
                idleCount.decrementAndGet();
                jedis.close();
            }
            return;
        }
        if (reusable && !closed) {
            idleCount.decrementAndGet();
        }
        jedis.close();
    }

    @Override
    public void close() {
        closed = true;
        Jedis jedis;
        while ((jedis = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            jedis.close();
        }
    }
}
