package io.cahoots.agent.topology;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.PushSettings;
import io.cahoots.agent.redis.PublisherClient;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.lifecycle.Background;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * PUBLISHes each view on {@code AGENT_PUSH_CHANNEL}.
 *
 * <ol>
 *   <li>Where: on the cluster, one master of the view -- a cluster forwards every PUBLISH over its bus to all nodes,
 *       so subscribers on any node receive it, and once is enough (the master that worked last time is tried first,
 *       the others in turn if it fails). On each Sentinel group, its current master -- a primary replicates PUBLISH to
 *       its replicas, so their subscribers receive it too. Addresses come from the view itself, so a failover view is
 *       published on the new master, never the dead one.</li>
 *   <li>How: one daemon thread, one view buffered (newer replaces older). A round tries each target once (each call
 *       bounded by the Redis timeout); a failed round is retried at most {@value #ROUNDS} times, 50ms apart doubling,
 *       and abandoned as soon as a newer view is waiting -- the newer one says more.</li>
 *   <li>Repeats: Sentinel disconnects the pub/sub clients of every node it promotes or re-points ({@code CLIENT KILL
 *       TYPE pubsub}), so around a failover subscribers are busy resubscribing and may miss the one message that
 *       matters. A failover view is therefore published again {@link #REPEATS_AFTER_FAILOVER} later, unless a newer
 *       view has gone out meanwhile. Receivers drop a version they already have.</li>
 * </ol>
 */
@ApplicationScoped
public class ChannelPublisher implements TopologySink {

    private static final Logger LOG = Logger.getLogger(ChannelPublisher.class);
    static final int ROUNDS = 3;
    static final List<Duration> REPEATS_AFTER_FAILOVER = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5));

    private final PublisherClient client;
    private final String channel;
    private final PushMetrics metrics;
    private final ExecutorService thread = Background.single("topology-pubsub");
    private final ScheduledExecutorService repeats = Background.scheduler("topology-pubsub-repeat");
    private PublishedView buffered;
    private long newestVersion = Long.MIN_VALUE;
    private boolean scheduled;
    private volatile String lastGoodClusterNode;
    private volatile java.util.function.BiConsumer<String, Long> ledger = (channel, version) -> { };
    /** Only touched by the publishing thread. */
    private long lastDeliveredVersion = Long.MIN_VALUE;

    public ChannelPublisher(RedisConnections connections, PushSettings push, PushMetrics metrics) {
        this.client = new PublisherClient(connections);
        this.channel = push.channel();
        this.metrics = metrics;
    }

    static final String LEDGER = "pubsub";

    @Override
    public void onDelivered(java.util.function.BiConsumer<String, Long> ledger) {
        this.ledger = ledger;
    }

    @Override
    public synchronized void offer(PublishedView view) {
        if (view.version() <= newestVersion || targets(view).isEmpty()) {
            return;
        }
        newestVersion = view.version();
        buffered = view;
        drainLater();
        if (view.view().cause().equals(Causes.FAILOVER)) {
            for (Duration d : REPEATS_AFTER_FAILOVER) {
                try {
                    repeats.schedule(() -> repeat(view), d.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    return; // shutting down
                }
            }
        }
    }

    /** Publishes {@code view} once more if it is still the newest one. */
    synchronized void repeat(PublishedView view) {
        if (view.version() == newestVersion && buffered == null) {
            buffered = view;
            drainLater();
        }
    }

    /** Called with the lock held. */
    private void drainLater() {
        if (!scheduled) {
            scheduled = true;
            try {
                thread.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled = false;
            }
        }
    }

    private void drain() {
        while (true) {
            PublishedView v;
            synchronized (this) {
                v = buffered;
                buffered = null;
                if (v == null) {
                    scheduled = false;
                    return;
                }
            }
            publish(v);
        }
    }

    private void publish(PublishedView v) {
        List<Target> groups = targets(v);
        String message = v.jsonText();
        long backoff = 50;
        for (int round = 1; round <= ROUNDS; round++) {
            List<Target> failed = new ArrayList<>();
            for (Target group : groups) {
                if (!publishOnOne(group, message)) {
                    failed.add(group);
                }
            }
            if (failed.isEmpty()) {
                metrics.pubsub("published");
                if (v.version() > lastDeliveredVersion) { // repeats are not deliveries of news
                    lastDeliveredVersion = v.version();
                    metrics.delivered("pubsub", v);
                    ledger.accept(LEDGER, v.version());
                }
                return;
            }
            groups = failed;
            synchronized (this) {
                if (buffered != null || round == ROUNDS) {
                    break; // a newer view is waiting, or we are out of rounds
                }
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff *= 2;
        }
        metrics.pubsub("failed");
        LOG.warnf("could not PUBLISH topology version %d on %s to %s", v.version(), channel, groups);
    }

    /** Tries the nodes of one target in order until one takes the message. */
    private boolean publishOnOne(Target target, String message) {
        for (String node : target.nodes()) {
            try {
                client.publish(HostPort.parse(node), channel, message);
                if (target.cluster()) {
                    lastGoodClusterNode = node;
                }
                return true;
            } catch (RuntimeException e) {
                LOG.debugf("PUBLISH on %s failed: %s", node, e.getMessage());
            }
        }
        return false;
    }

    /** Where one PUBLISH must succeed: any one of {@code nodes}. */
    record Target(boolean cluster, List<String> nodes) {
    }

    /** The cluster's masters (one of them is enough) as one target; each Sentinel master as its own. */
    List<Target> targets(PublishedView v) {
        List<Target> out = new ArrayList<>();
        Set<String> cluster = new LinkedHashSet<>();
        Optional.ofNullable(lastGoodClusterNode).ifPresent(n -> {
            if (v.view().cluster().shards().stream().anyMatch(s -> s.master().equals(n))) {
                cluster.add(n);
            }
        });
        v.view().cluster().shards().stream().filter(s -> !s.slots().isEmpty()).forEach(s -> cluster.add(s.master()));
        if (!cluster.isEmpty()) {
            out.add(new Target(true, List.copyOf(cluster)));
        }
        v.view().sentinel().masters().values().forEach(g -> out.add(new Target(false, List.of(g.master()))));
        return out;
    }

    void stop(@Observes ShutdownEvent event) {
        repeats.shutdownNow();
        thread.shutdownNow();
    }
}
