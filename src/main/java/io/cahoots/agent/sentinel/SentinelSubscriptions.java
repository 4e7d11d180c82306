package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.SentinelSubscriber;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One {@link SentinelSubscriber} per Sentinel the watcher knows: the configured ones for the agent's lifetime, the
 * discovered ones while some watched master's group still lists them. Tracks which subscriptions are open.
 */
final class SentinelSubscriptions implements SentinelSubscriber.Listener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SentinelSubscriptions.class);
    private static final Duration PING_EVERY = Duration.ofSeconds(1);
    private static final Duration MAX_RECONNECT_BACKOFF = Duration.ofSeconds(5);

    /** What the watcher does with the traffic. */
    interface Handler {
        void onMessage(HostPort sentinel, String channel, String message);

        /** A subscription (re)opened: whatever was published while it was down is lost, so read the state again. */
        void onResubscribed();
    }

    private final RedisConnections connections;
    private final Set<HostPort> configured;
    private final Handler handler;
    private final ScheduledExecutorService watchdog;
    private final Map<HostPort, SentinelSubscriber> subscribers = new ConcurrentHashMap<>();
    private final Set<HostPort> open = ConcurrentHashMap.newKeySet();

    SentinelSubscriptions(RedisConnections connections, Set<HostPort> configured, Handler handler,
                          ScheduledExecutorService watchdog) {
        this.connections = connections;
        this.configured = Set.copyOf(configured);
        this.handler = handler;
        this.watchdog = watchdog;
        configured.forEach(this::subscribe);
    }

    /** Subscribes to every Sentinel in {@code wanted}; drops discovered ones that left it. */
    void update(Set<HostPort> wanted) {
        wanted.forEach(this::subscribe);
        subscribers.keySet().removeIf(s -> {
            if (wanted.contains(s) || configured.contains(s)) {
                return false;
            }
            subscribers.get(s).close();
            open.remove(s);
            return true;
        });
    }

    Set<HostPort> open() {
        return Set.copyOf(open);
    }

    private void subscribe(HostPort sentinel) {
        subscribers.computeIfAbsent(sentinel, s -> {
            SentinelSubscriber sub = new SentinelSubscriber(connections, s, this, PING_EVERY, MAX_RECONNECT_BACKOFF, watchdog);
            sub.start();
            return sub;
        });
    }

    @Override
    public void onMessage(HostPort sentinel, String channel, String message) {
        handler.onMessage(sentinel, channel, message);
    }

    @Override
    public void onSubscribed(HostPort sentinel) {
        open.add(sentinel);
        LOG.debugf("subscribed to Sentinel %s", sentinel);
        handler.onResubscribed();
    }

    @Override
    public void onDisconnected(HostPort sentinel, String reason) {
        if (open.remove(sentinel)) {
            LOG.infof("lost the subscription to Sentinel %s (%s); reconnecting", sentinel, reason);
        }
    }

    @Override
    public void close() {
        subscribers.values().forEach(SentinelSubscriber::close);
    }
}
