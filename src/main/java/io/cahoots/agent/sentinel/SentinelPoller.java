package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.RedisException;
import io.cahoots.agent.redis.SentinelClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads every Sentinel once, in parallel: {@code SENTINEL MYID}, the watched masters ({@code SENTINEL MASTERS}, or
 * {@code SENTINEL MASTER name} for each name of {@code AGENT_SENTINEL_MASTERS}) and, per master, {@code REPLICAS},
 * {@code SENTINELS} and {@code CKQUORUM}. Each Sentinel is bounded by the per-command timeout plus slack; one that
 * does not answer in time becomes a failed reading, so a hung Sentinel never delays the others. Never throws.
 */
public final class SentinelPoller {

    private static final long SLACK_MILLIS = 250;

    private final SentinelClient client;
    private final ExecutorService io;
    private final Duration timeout;

    public SentinelPoller(SentinelClient client, ExecutorService io, Duration timeout) {
        this.client = client;
        this.io = io;
        this.timeout = timeout;
    }

    public List<SentinelReading> poll(Collection<HostPort> sentinels, List<String> names) {
        Map<HostPort, CompletableFuture<SentinelReading>> futures = new LinkedHashMap<>();
        for (HostPort s : sentinels) {
            futures.put(s, CompletableFuture.supplyAsync(() -> read(s, names), io));
        }
        // Five round trips per master per Sentinel, each bounded by the timeout; the slack covers thread hand-off.
        long deadline = System.nanoTime() + timeout.toNanos() * 2 + TimeUnit.MILLISECONDS.toNanos(SLACK_MILLIS);
        List<SentinelReading> out = new ArrayList<>();
        futures.forEach((s, f) -> {
            try {
                out.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                f.cancel(true);
                out.add(SentinelReading.failed(s, "no answer within " + timeout.toMillis() + "ms"));
            } catch (ExecutionException e) {
                out.add(SentinelReading.failed(s, String.valueOf(e.getCause())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.add(SentinelReading.failed(s, "poll interrupted"));
            }
        });
        return out;
    }

    SentinelReading read(HostPort s, List<String> names) {
        try {
            Optional<String> runId = myId(s);
            List<SentinelReplies.Master> masters = new ArrayList<>();
            if (names.isEmpty()) {
                client.masters(s).forEach(m -> masters.add(SentinelReplies.master(m)));
            } else {
                for (String n : names) {
                    client.master(s, n).ifPresent(m -> masters.add(SentinelReplies.master(m)));
                }
            }
            Map<String, SentinelReading.MasterReading> byName = new LinkedHashMap<>();
            for (SentinelReplies.Master m : masters) {
                List<SentinelReplies.Replica> replicas = client.replicas(s, m.name()).stream().map(SentinelReplies::replica).toList();
                List<SentinelReplies.Peer> peers = client.sentinels(s, m.name()).stream().map(SentinelReplies::peer).toList();
                SentinelClient.Quorum q = client.ckquorum(s, m.name());
                byName.put(m.name(), new SentinelReading.MasterReading(m, replicas, peers,
                        new SentinelReplies.QuorumCheck(q.ok(), q.text())));
            }
            return new SentinelReading(s, runId, Optional.empty(), byName);
        } catch (RedisException e) {
            String prefix = s + ": ";
            String m = e.getMessage();
            return SentinelReading.failed(s, m.startsWith(prefix) ? m.substring(prefix.length()) : m);
        } catch (RuntimeException e) {
            return SentinelReading.failed(s, "unreadable reply: " + e);
        }
    }

    private Optional<String> myId(HostPort s) {
        try {
            return Optional.of(client.myId(s));
        } catch (RedisException.CommandFailed e) {
            return Optional.empty(); // SENTINEL MYID is 6.2+; older Sentinels are told apart by address only
        }
    }
}
