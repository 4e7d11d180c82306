package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.SentinelClient;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code ROLE} on every believed master, in parallel and bounded by the timeout: which replicas are online right now
 * and how far behind. Also {@code ROLE} on every replica, whose answers are not used: it keeps a live pooled connection
 * to each node that may be promoted, so confirming a switch to it costs one round trip rather than a connect first.
 */
final class MasterRoles {

    private static final long SLACK_MILLIS = 100;

    private final SentinelClient client;
    private final ExecutorService io;
    private final Duration timeout;

    MasterRoles(SentinelClient client, ExecutorService io, Duration timeout) {
        this.client = client;
        this.io = io;
        this.timeout = timeout;
    }

    /** @return by master name, the masters that answered; an unreachable one is missing */
    Map<String, RoleReply> read(Map<String, HostPort> masters, Set<HostPort> replicas) {
        Map<String, CompletableFuture<RoleReply>> futures = new HashMap<>();
        masters.forEach((n, a) -> futures.put(n, CompletableFuture.supplyAsync(() -> RoleReply.parse(client.role(a)), io)));
        replicas.stream().filter(r -> !masters.containsValue(r))
                .forEach(r -> CompletableFuture.runAsync(() -> client.role(r), io).exceptionally(e -> null));
        long deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(SLACK_MILLIS);
        Map<String, RoleReply> answered = new HashMap<>();
        futures.forEach((n, f) -> {
            try {
                answered.put(n, f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // unreachable master: the view falls back to the Sentinels' word about its replicas
            }
        });
        return answered;
    }
}
