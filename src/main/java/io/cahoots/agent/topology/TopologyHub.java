package io.cahoots.agent.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.config.PushSettings;
import io.cahoots.agent.fleet.Fleet;
import io.cahoots.agent.fleet.StoredView;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.sentinel.SentinelView;
import io.cahoots.agent.sentinel.SentinelWatcher;
import io.cahoots.agent.lifecycle.StartupPhase;
import io.cahoots.agent.lifecycle.Background;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

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
 *   <li>Only the fleet's leader publishes. A published view gets the next version, is serialised once, kept for
 *       {@code GET /topology}, offered to the sinks (event stream, webhooks, pub/sub), none of which blocks, and then
 *       stored in the fleet store (on the share thread, so a slow store never delays a failover view).</li>
 *   <li>Followers build nothing: they adopt each stored view -- announced on the store's channel, and checked every
 *       {@link #FOLLOW_CHECK} in case an announcement was lost -- with its very bytes, and offer it to their own event
 *       streams. So every sidecar gives the same version and ETag for the same view.</li>
 *   <li>Numbering: a new leader continues from the stored view (its version + 1) and starts from the stored content,
 *       so an unchanged topology is not published again. With nothing stored (a new fleet), the first version is the
 *       current time in milliseconds, so versions keep growing even across a loss of the store. The store refuses a
 *       version that is not above the stored one, so a deposed leader cannot make the fleet's view go back.</li>
 *   <li>Channels record what they delivered; a new leader resends the current view to a webhook or to pub/sub that
 *       had not received it (its predecessor died with it queued).</li>
 * </ol>
 * Safety: views are numbered and offered under one lock, so every sink sees versions in increasing order.
 */
@ApplicationScoped
public class TopologyHub {

    private static final Logger LOG = Logger.getLogger(TopologyHub.class);
    static final Duration FIRST_VIEW_GRACE = Duration.ofSeconds(10);
    static final Duration FOLLOW_CHECK = Duration.ofSeconds(1);
    static final Duration ANNOUNCE_WAIT = Duration.ofSeconds(15);
    static final String ANNOUNCE = "cluster-enabled-request";

    private final ClusterWatch clusterWatch;
    private final SentinelWatcher sentinelWatcher;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final PushMetrics metrics;
    private final List<TopologySink> sinks;
    private final SseFanout sse;
    private final WebhookDispatcher webhooks;
    private final ChannelPublisher pubsub;
    private final Fleet fleet;
    private final Coalescer coalescer;
    private ScheduledExecutorService timer;
    /** Writes to the fleet store, in order, off the publishing path. */
    private ScheduledExecutorService share;
    private Optional<List<TopologyView.Shard>> shards = Optional.empty();
    private Optional<Map<String, TopologyView.Group>> groups = Optional.empty();
    private long nextVersion;
    private long startedNanos;
    private volatile Optional<PublishedView> current = Optional.empty();
    private final List<TopologyView.Retired> retired = new ArrayList<>();

    public TopologyHub(ClusterWatch clusterWatch, SentinelWatcher sentinelWatcher, PushSettings push, Clock clock,
                       ObjectMapper mapper, PushMetrics metrics, SseFanout sse, WebhookDispatcher webhooks,
                       ChannelPublisher pubsub, Fleet fleet) {
        this.clusterWatch = clusterWatch;
        this.sentinelWatcher = sentinelWatcher;
        this.clock = clock;
        this.mapper = mapper;
        this.metrics = metrics;
        this.sinks = List.of(sse, webhooks, pubsub);
        this.sse = sse;
        this.webhooks = webhooks;
        this.pubsub = pubsub;
        this.fleet = fleet;
        this.coalescer = new Coalescer(push.coalesce().toNanos());
    }

    /** Before the fleet's first beat (FLEET) and the watchers, so that no snapshot goes unseen. */
    void start(@Observes @Priority(StartupPhase.COORDINATION) StartupEvent event) {
        timer = Background.scheduler("topology-coalesce");
        share = Background.scheduler("topology-share");
        BiConsumer<String, Long> ledger = (channel, version) -> share.execute(() -> {
            try {
                fleet.store().delivered(channel, version);
            } catch (RuntimeException e) {
                LOG.debugf("could not record the delivery of version %d on %s: %s", version, channel, e.getMessage());
            }
        });
        webhooks.onDelivered(ledger);
        pubsub.onDelivered(ledger);
        fleet.onLeadership(this::onLeadership);
        share.scheduleWithFixedDelay(this::follow, FOLLOW_CHECK.toMillis(), FOLLOW_CHECK.toMillis(), TimeUnit.MILLISECONDS);
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
        fleet.onView(v -> share.execute(() -> adopt(v)));
        update();
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
            share.shutdownNow();
        }
    }

    // ---- the fleet -----------------------------------------------------------------------------------------------

    /** On the fleet's beat thread: a new leader continues from the stored view; a follower just stops publishing. */
    private synchronized void onLeadership(boolean leading) {
        if (!leading) {
            return;
        }
        try {
            fleet.store().view().ifPresent(this::adoptLocked);
        } catch (RuntimeException e) {
            LOG.warnf("leading without the stored topology view (%s): numbering continues from this sidecar's own", e.getMessage());
        }
        current.ifPresent(c -> {
            nextVersion = Math.max(nextVersion, c.version() + 1);
            coalescer.seed(c.view().content(), System.nanoTime());
            catchUp(c);
        });
        update();
    }

    /** Resends the current view to every channel the previous leader had not delivered it to. */
    private void catchUp(PublishedView view) {
        share.execute(() -> {
            try {
                for (String name : webhooks.ledgerNames()) {
                    if (fleet.store().deliveredVersion(name) < view.version()) {
                        webhooks.offerTo(name, view);
                    }
                }
                if (fleet.store().deliveredVersion(ChannelPublisher.LEDGER) < view.version()) {
                    pubsub.offer(view);
                }
            } catch (RuntimeException e) {
                LOG.warnf("could not check what the previous leader delivered: %s", e.getMessage());
            }
        });
    }

    /** Every {@link #FOLLOW_CHECK} on a follower: a view whose announcement was lost is adopted all the same. */
    private void follow() {
        if (fleet.isLeader()) {
            announceRequested();
            return;
        }
        try {
            long stored = fleet.store().viewVersion();
            if (stored > current.map(PublishedView::version).orElse(0L)) {
                fleet.store().view().ifPresent(this::adopt);
            }
        } catch (RuntimeException e) {
            LOG.debugf("cannot read the fleet's view: %s", e.getMessage());
        }
    }

    private synchronized void adopt(StoredView stored) {
        adoptLocked(stored);
    }

    /** Takes a view another sidecar published, byte for byte, if newer than the current one. */
    private void adoptLocked(StoredView stored) {
        if (current.isPresent() && current.get().version() >= stored.version()) {
            return;
        }
        TopologyView view;
        try {
            view = mapper.readValue(stored.json(), TopologyView.class);
        } catch (java.io.IOException e) {
            LOG.warnf("unreadable topology view %d in the fleet store: %s", stored.version(), e.getMessage());
            return;
        }
        PublishedView published = new PublishedView(view, stored.json(), System.nanoTime());
        current = Optional.of(published);
        retired.clear();
        retired.addAll(view.retired()); // so that a new leader's views keep them
        metrics.adopted(published);
        sse.offer(published);
    }

    public Optional<PublishedView> current() {
        return current;
    }

    /**
     * The current view, first catching up from the fleet store when a client has seen a newer one (it came from
     * another sidecar a moment ahead of this one).
     */
    public Optional<PublishedView> current(long seen) {
        if (seen > current.map(PublishedView::version).orElse(0L) && !fleet.isLeader() && fleet.storeReachable()) {
            try {
                fleet.store().view().ifPresent(this::adopt);
            } catch (RuntimeException e) {
                LOG.debugf("cannot catch up from the fleet store: %s", e.getMessage());
            }
        }
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
        if (!fleet.isLeader()) {
            return; // the leader publishes; this sidecar keeps its content for the day it leads
        }
        if ((clusterWatch.enabled() && shards.isEmpty()) || (sentinelWatcher.enabled() && groups.isEmpty())) {
            return;
        }
        TopologyView.Content content = new TopologyView.Content(shards.orElse(List.of()), groups.orElse(Map.of()));
        handle(coalescer.offer(content, System.nanoTime()));
    }

    private synchronized void timerFired() {
        if (fleet.isLeader()) {
            handle(coalescer.timer(System.nanoTime()));
        }
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
    public TopologyView announceClusterEnabled(String name, String primary) {
        if (fleet.isLeader()) {
            return announceHere(name, primary, clock.instant().toString());
        }
        // Only the leader numbers views: a follower running the import asks it through the store, and waits for the
        // view to come back the way every view reaches a follower.
        String at = clock.instant().toString();
        try {
            fleet.store().putDocument(ANNOUNCE, mapper.writeValueAsBytes(new TopologyView.Retired(name, primary, at)),
                    ANNOUNCE_WAIT);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the cluster-enabled request", e);
        }
        long deadline = System.nanoTime() + ANNOUNCE_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<TopologyView> v = current.map(PublishedView::view).filter(x -> Causes.CLUSTER_ENABLED.equals(x.cause())
                    && x.retired().stream().anyMatch(r -> r.name().equals(name) && r.at().equals(at)));
            if (v.isPresent()) {
                return v.get();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("the fleet's leader did not announce cluster-enabled for " + name + " within "
                + ANNOUNCE_WAIT.toSeconds() + "s");
    }

    /** On the leader, every {@link #FOLLOW_CHECK}: a follower's request to announce cluster-enabled. */
    private void announceRequested() {
        try {
            Optional<byte[]> doc = fleet.store().document(ANNOUNCE);
            if (doc.isEmpty()) {
                return;
            }
            TopologyView.Retired r = mapper.readValue(doc.get(), TopologyView.Retired.class);
            synchronized (this) {
                if (retired.contains(r)) {
                    return; // announced already
                }
            }
            announceHere(r.name(), r.primary(), r.at());
        } catch (Exception e) {
            LOG.debugf("cannot read a cluster-enabled request: %s", e.getMessage());
        }
    }

    private synchronized TopologyView announceHere(String name, String primary, String at) {
        retired.removeIf(r -> r.name().equals(name));
        retired.add(new TopologyView.Retired(name, primary, at));
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
        StoredView stored = new StoredView(view.version(), json);
        share.execute(() -> {
            try {
                if (!fleet.store().storeView(stored)) {
                    LOG.warnf("the fleet store holds a newer view than version %d: another sidecar leads", stored.version());
                }
            } catch (RuntimeException e) {
                LOG.warnf("could not store topology version %d for the fleet: %s", stored.version(), e.getMessage());
            }
        });
        return view;
    }
}
