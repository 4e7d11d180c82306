package io.cahoots.agent.observe;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.config.ObserveSettings;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.fleet.Fleet;
import io.cahoots.agent.metrics.AgentMetrics;
import io.cahoots.agent.redis.ClusterReader;
import io.cahoots.agent.redis.RedisConnections;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps the latest cluster snapshot and hands each new one to the metrics and to listeners, every
 * {@code AGENT_POLL_INTERVAL}, on its own threads (never the event loop).
 *
 * <ol>
 *   <li>The fleet's leader runs the {@link ClusterObserver} (reads every node) and shares each snapshot with the
 *       fleet ({@link SnapshotCodec}, one write per poll); it alone exports the per-node metric series.</li>
 *   <li>A follower reads the shared snapshot instead (one read per interval, whatever the cluster's size) and adopts
 *       it when it is newer than its own, so every sidecar answers from the same snapshot, version included.</li>
 *   <li>A follower that cannot reach the fleet's store, or finds no shared snapshot younger than {@link #staleAfter}
 *       (no leader, a fleet starting), polls the nodes itself, so that it never serves an old view.</li>
 *   <li>{@link #refresh} polls at once on any sidecar (a job that just changed the cluster needs the truth now).</li>
 * </ol>
 */
@ApplicationScoped
public class ClusterWatch {

    private static final Logger LOG = Logger.getLogger(ClusterWatch.class);

    private final Settings settings;
    private final ObserveSettings observe;
    private final RedisConnections connections;
    private final AgentMetrics metrics;
    private final Clock clock;
    private final Fleet fleet;
    private final List<Consumer<ClusterSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService scheduler;
    private ExecutorService readers;
    private ClusterObserver observer;
    private volatile Optional<ClusterSnapshot> latest = Optional.empty();
    private volatile java.util.function.Supplier<List<io.cahoots.agent.cluster.HostPort>> extraSeeds = List::of;

    static final String SHARED = "cluster-snapshot";

    public ClusterWatch(Settings settings, ObserveSettings observe, RedisConnections connections, AgentMetrics metrics,
                        Clock clock, Fleet fleet) {
        this.settings = settings;
        this.observe = observe;
        this.connections = connections;
        this.metrics = metrics;
        this.clock = clock;
        this.fleet = fleet;
    }

    void start(@Observes @Priority(StartupPhase.CLUSTER_WATCH) StartupEvent event) {
        if (!enabled()) {
            LOG.info("AGENT_CLUSTER_NODES is unset: cluster features are off");
            return;
        }
        readers = Background.pool("cluster-read", 32);
        observer = new ClusterObserver(settings.clusterNodes(), NodeReader.of(new ClusterReader(connections)),
                settings.redisTimeout(), observe.metricsIntervalOrEveryPoll(), clock, readers);
        observer.extraSeeds(() -> extraSeeds.get());
        scheduler = Background.scheduler("cluster-poll");
        long period = settings.pollInterval().toMillis();
        scheduler.scheduleAtFixedRate(this::tick, 0, period, TimeUnit.MILLISECONDS);
        LOG.infof("watching the cluster from %s every %dms", settings.clusterNodes(), period);
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
            readers.shutdownNow();
        }
    }

    public boolean enabled() {
        return !settings.clusterNodes().isEmpty();
    }

    public Optional<ClusterSnapshot> latest() {
        return latest;
    }

    /** Addresses read on every poll besides {@code AGENT_CLUSTER_NODES}: the Redis pods' current ones (pods/). */
    public void extraSeeds(java.util.function.Supplier<List<io.cahoots.agent.cluster.HostPort>> extra) {
        this.extraSeeds = extra;
    }

    public void addListener(Consumer<ClusterSnapshot> listener) {
        listeners.add(listener);
    }

    /** Polls now, outside the schedule (after a job changed the cluster, say); serialised with the schedule. */
    public synchronized ClusterSnapshot refresh() {
        if (observer == null) {
            throw new IllegalStateException("cluster features are off");
        }
        ClusterSnapshot s = observer.poll();
        accept(s);
        if (fleet.isLeader()) {
            share(s);
        }
        return s;
    }

    /** How old the shared snapshot may be before a follower polls by itself: three intervals, at least 3 s. */
    Duration staleAfter() {
        return Duration.ofMillis(Math.max(3000, settings.pollInterval().toMillis() * 3));
    }

    private void tick() {
        try {
            if (fleet.isLeader() || !fleet.storeReachable() || !adoptShared()) {
                refresh();
            }
        } catch (RuntimeException e) {
            // The schedule must survive anything one poll throws.
            LOG.error("cluster poll failed", e);
        }
    }

    /** @return false when there is no fresh shared snapshot to follow */
    private synchronized boolean adoptShared() {
        Optional<byte[]> bytes;
        try {
            bytes = fleet.store().document(SHARED);
        } catch (RuntimeException e) {
            return false;
        }
        if (bytes.isEmpty()) {
            return false;
        }
        ClusterSnapshot s = SnapshotCodec.decode(bytes.get());
        if (s.takenAt().isBefore(clock.instant().minus(staleAfter()))) {
            return false;
        }
        if (latest.isEmpty() || s.takenAt().isAfter(latest.get().takenAt())) {
            observer.seed(s);
            accept(s);
        }
        return true;
    }

    private void share(ClusterSnapshot s) {
        try {
            fleet.store().putDocument(SHARED, SnapshotCodec.encode(s), staleAfter().multipliedBy(10));
        } catch (RuntimeException e) {
            LOG.debugf("could not share the snapshot: %s", e.getMessage());
        }
    }

    private void accept(ClusterSnapshot s) {
        long previous = latest.map(ClusterSnapshot::version).orElse(0L);
        latest = Optional.of(s);
        metrics.onSnapshot(s, fleet.isLeader());
        if (s.version() != previous) {
            LOG.infof("cluster topology version %d: state %s, %d nodes, %s", s.version(), s.state(), s.nodes().size(),
                    s.check().ok() ? "check ok" : summary(s.check().problems()));
        }
        for (Consumer<ClusterSnapshot> l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                LOG.warn("snapshot listener failed", e);
            }
        }
    }


    /** The check's findings for one log line: a move of a chunk opens 128 slots, each a finding of its own. */
    static String summary(List<String> problems) {
        int shown = 3;
        String head = String.join("; ", problems.subList(0, Math.min(shown, problems.size())));
        return problems.size() <= shown ? head : head + "; and " + (problems.size() - shown) + " more (GET /api/v1/cluster/check)";
    }
}
