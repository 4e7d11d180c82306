package io.cahoots.agent.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.config.PushSettings;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.sentinel.SentinelView;
import io.cahoots.agent.sentinel.SentinelWatcher;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Owns the application view: builds it from the cluster snapshots and the Sentinel views, numbers it and hands each
 * new one to every push channel.
 *
 * <ol>
 *   <li>Both watchers call in after every poll (and the Sentinel watcher after every confirmed switch). The part that
 *       changed is rebuilt by {@link ViewBuilder}.</li>
 *   <li>A source that reaches none of its nodes keeps its last part: losing sight of Redis must not tell every
 *       application that the shards are gone. For the same reason the first view waits until every configured source
 *       has reached its nodes once -- for at most {@link #FIRST_VIEW_GRACE}; a source still blind then contributes an
 *       empty part, so that one unreachable source does not hold back the other's failovers.</li>
 *   <li>{@link Coalescer} decides whether the new content goes out now or after the coalescing window.</li>
 *   <li>A published view gets the next version -- the first one of a process is its start time in milliseconds, so
 *       versions keep growing across restarts without any storage -- is serialised once, kept for
 *       {@code GET /topology}, and offered to the sinks (event stream, webhooks, pub/sub), none of which blocks.</li>
 * </ol>
 * Safety: views are numbered and offered under one lock, so every sink sees versions in increasing order.
 */
@ApplicationScoped
public class TopologyHub {

    private static final Logger LOG = Logger.getLogger(TopologyHub.class);
    static final Duration FIRST_VIEW_GRACE = Duration.ofSeconds(10);

    private final ClusterWatch clusterWatch;
    private final SentinelWatcher sentinelWatcher;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final PushMetrics metrics;
    private final List<TopologySink> sinks;
    private final Coalescer coalescer;
    private ScheduledExecutorService timer;
    private Optional<List<TopologyView.Shard>> shards = Optional.empty();
    private Optional<Map<String, TopologyView.Group>> groups = Optional.empty();
    private long nextVersion;
    private long startedNanos;
    private volatile Optional<PublishedView> current = Optional.empty();
    private final List<TopologyView.Retired> retired = new ArrayList<>();

    public TopologyHub(ClusterWatch clusterWatch, SentinelWatcher sentinelWatcher, PushSettings push, Clock clock,
                       ObjectMapper mapper, PushMetrics metrics, SseFanout sse, WebhookDispatcher webhooks,
                       ChannelPublisher pubsub) {
        this.clusterWatch = clusterWatch;
        this.sentinelWatcher = sentinelWatcher;
        this.clock = clock;
        this.mapper = mapper;
        this.metrics = metrics;
        this.sinks = List.of(sse, webhooks, pubsub);
        this.coalescer = new Coalescer(push.coalesce().toNanos());
    }

    /** Before the watchers start (priorities 100 and 110), so that no snapshot goes unseen. */
    void start(@Observes @Priority(50) StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "topology-coalesce");
            t.setDaemon(true);
            return t;
        });
        synchronized (this) {
            nextVersion = clock.millis();
            startedNanos = System.nanoTime();
        }
        if (clusterWatch.enabled()) {
            clusterWatch.addListener(this::onCluster);
        }
        if (sentinelWatcher.enabled()) {
            sentinelWatcher.addListener(this::onSentinel);
        }
        update();
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    public Optional<PublishedView> current() {
        return current;
    }

    synchronized void onCluster(ClusterSnapshot snapshot) {
        if (!snapshot.anyReachable() && (shards.isPresent() || !graceOver())) {
            return;
        }
        shards = Optional.of(ViewBuilder.shards(snapshot));
        update();
    }

    synchronized void onSentinel(SentinelView view) {
        if (!view.anyReachable() && (groups.isPresent() || !graceOver())) {
            return;
        }
        groups = Optional.of(ViewBuilder.groups(view));
        update();
    }

    private boolean graceOver() {
        return System.nanoTime() - startedNanos > FIRST_VIEW_GRACE.toNanos();
    }

    private synchronized void update() {
        if ((clusterWatch.enabled() && shards.isEmpty()) || (sentinelWatcher.enabled() && groups.isEmpty())) {
            return;
        }
        TopologyView.Content content = new TopologyView.Content(shards.orElse(List.of()), groups.orElse(Map.of()));
        handle(coalescer.offer(content, System.nanoTime()));
    }

    private synchronized void timerFired() {
        handle(coalescer.timer(System.nanoTime()));
    }

    private void handle(Coalescer.Step step) {
        if (step instanceof Coalescer.Step.Wait w) {
            timer.schedule(this::timerFired, w.nanos(), TimeUnit.NANOSECONDS);
        } else if (step instanceof Coalescer.Step.Publish p) {
            publish(p);
        }
    }

    /**
     * Publishes, now and on every channel, the current shards and Sentinel masters with cause
     * {@value Causes#CLUSTER_ENABLED} and the retired primary added to {@code retired} (which every later view keeps,
     * so an application that reconnects still learns it). Called by an import's cutover.
     *
     * @return the published view
     */
    public synchronized TopologyView announceClusterEnabled(String name, String primary) {
        retired.removeIf(r -> r.name().equals(name));
        retired.add(new TopologyView.Retired(name, primary, clock.instant().toString()));
        TopologyView.Content built = shards.isPresent() || groups.isPresent()
                ? new TopologyView.Content(shards.orElse(List.of()), groups.orElse(Map.of())) : null;
        TopologyView.Content content = coalescer.announce(built, System.nanoTime());
        return publish(new Coalescer.Step.Publish(content, Causes.CLUSTER_ENABLED));
    }

    private TopologyView publish(Coalescer.Step.Publish p) {
        TopologyView view = TopologyView.of(nextVersion++, p.cause(), clock.instant().toString(), p.content(),
                List.copyOf(retired));
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the topology view", e);
        }
        PublishedView published = new PublishedView(view, json, System.nanoTime());
        current = Optional.of(published);
        metrics.published(published);
        LOG.infof("topology version %d (%s): %d shards, %d Sentinel masters", view.version(), view.cause(),
                view.cluster().shards().size(), view.sentinel().masters().size());
        for (TopologySink sink : sinks) {
            try {
                sink.offer(published);
            } catch (RuntimeException e) {
                LOG.warnf(e, "push channel %s failed to take version %d", sink.getClass().getSimpleName(), view.version());
            }
        }
        return view;
    }
}
