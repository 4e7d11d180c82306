package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.SentinelClient;
import io.cahoots.agent.redis.SentinelSubscriber;
import io.cahoots.agent.sentinel.SentinelViewAssembler.Belief;
import io.cahoots.agent.lifecycle.StartupPhase;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Watches the Sentinel-managed masters: events for speed, polling for certainty.
 *
 * <ol>
 *   <li>Every {@code AGENT_POLL_INTERVAL} (and early, ~20ms after any hint: a lost subscription coming back, a
 *       replica going down, a failover ending), {@link SentinelPoller} reads every known Sentinel. The first time a
 *       master is seen the agent adopts the address most Sentinels name; later, a different majority address is only
 *       adopted once {@link MasterConfirmer} confirms it -- pub/sub messages can be lost, so this is the safety net.</li>
 *   <li>A {@link SentinelSubscriber} per Sentinel (configured ones, and peers found through {@code SENTINEL
 *       SENTINELS}) delivers every message. {@code +switch-master} is a claim: it is confirmed (ROLE on the announced
 *       node, a majority of the group naming it; see {@link Confirmation}) on a confirmation thread and only then
 *       applied, counted as a failover and handed to listeners -- within milliseconds of the message. A claim that
 *       fails (a replayed or forged message) is logged and counted, and changes nothing.</li>
 *   <li>After every poll and every applied switch, a new {@link SentinelView} goes to the listeners (the topology
 *       push) in order: views are built and handed over under this object's lock, so a listener never sees an older
 *       view after a newer one.</li>
 * </ol>
 * Safety: a switch is applied only if the belief it was checked against is still current (else the next poll
 * decides), so a slow confirmation can never undo a newer one. All Redis I/O runs on this class' own daemon threads,
 * never on the event loop.
 */
@ApplicationScoped
public class SentinelWatcher implements SentinelSubscriptions.Handler {

    private static final Logger LOG = Logger.getLogger(SentinelWatcher.class);
    private static final long EARLY_POLL_DELAY_MILLIS = 20;

    private final Settings settings;
    private final RedisConnections connections;
    private final SentinelMetrics metrics;
    private final Clock clock;
    private final List<Consumer<SentinelView>> listeners = new CopyOnWriteArrayList<>();
    private final Set<String> confirming = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean earlyPollScheduled = new AtomicBoolean();
    private final Map<String, Belief> beliefs = new TreeMap<>();
    private final Map<String, RoleReply> roles = new HashMap<>();
    private final Map<HostPort, String> runIds = new HashMap<>();
    private final Map<String, HostPort> unconfirmedLogged = new ConcurrentHashMap<>();
    private List<SentinelReading> readings = List.of();
    private volatile Optional<SentinelView> latest = Optional.empty();
    private WatcherThreads threads;
    private SentinelPoller poller;
    private MasterConfirmer confirmer;
    private MasterRoles masterRoles;
    private SentinelSubscriptions subscriptions;

    public SentinelWatcher(Settings settings, RedisConnections connections, SentinelMetrics metrics, Clock clock) {
        this.settings = settings;
        this.connections = connections;
        this.metrics = metrics;
        this.clock = clock;
    }

    void start(@Observes @Priority(StartupPhase.SENTINEL_WATCH) StartupEvent event) {
        if (!enabled()) {
            LOG.info("AGENT_SENTINEL_NODES is unset: Sentinel features are off");
            return;
        }
        threads = new WatcherThreads();
        SentinelClient client = new SentinelClient(connections);
        masterRoles = new MasterRoles(client, threads.io(), settings.redisTimeout());
        poller = new SentinelPoller(client, threads.io(), settings.redisTimeout());
        Duration deadline = settings.redisTimeout().multipliedBy(3).compareTo(Duration.ofSeconds(3)) > 0
                ? settings.redisTimeout().multipliedBy(3) : Duration.ofSeconds(3);
        confirmer = new MasterConfirmer(client, threads.io(), settings.redisTimeout(), deadline);
        subscriptions = new SentinelSubscriptions(connections, Set.copyOf(settings.sentinelNodes()), this, threads.watchdog());
        long period = settings.pollInterval().toMillis();
        threads.poll().scheduleWithFixedDelay(this::pollQuietly, 0, period, TimeUnit.MILLISECONDS);
        LOG.infof("watching Sentinels %s (masters: %s) every %dms and through their pub/sub", settings.sentinelNodes(),
                settings.sentinelMasters().isEmpty() ? "all" : settings.sentinelMasters(), period);
    }

    /** Early, before the embedded lab stops its Sentinels, so the shutdown log stays quiet. */
    void stop(@Observes @Priority(StartupPhase.STOP_SENTINEL_WATCH) ShutdownEvent event) {
        if (subscriptions != null) {
            subscriptions.close();
        }
        if (threads != null) {
            threads.close();
        }
    }

    public boolean enabled() {
        return !settings.sentinelNodes().isEmpty();
    }

    public Optional<SentinelView> latest() {
        return latest;
    }

    public void addListener(Consumer<SentinelView> listener) {
        listeners.add(listener);
    }

    // ---- polling -------------------------------------------------------------------------------------------------

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warn("Sentinel poll failed", e); // the schedule must survive anything one poll throws
        }
    }

    private void poll() {
        List<HostPort> targets;
        synchronized (this) {
            targets = targets();
        }
        List<SentinelReading> fresh = poller.poll(targets, settings.sentinelMasters());
        Set<String> names = SentinelViewAssembler.masterNames(fresh);
        synchronized (this) {
            readings = fresh;
            fresh.forEach(r -> r.runId().ifPresent(id -> runIds.put(r.sentinel(), id)));
            if (fresh.stream().filter(SentinelReading::reachable).count() * 2 > fresh.size()) {
                // Most Sentinels answered and none monitors it any more (SENTINEL REMOVE): forget it. Not on the word
                // of a minority: a forgotten master is adopted again at first sight, without confirmation.
                beliefs.keySet().removeIf(n -> !names.contains(n));
            }
        }
        for (String name : names) {
            reconcile(name, fresh);
        }
        refreshRoles();
        Set<HostPort> wanted;
        synchronized (this) {
            wanted = new LinkedHashSet<>(targets());
            rebuildAndNotify();
        }
        subscriptions.update(wanted);
    }

    /** Adopts the majority address at first sight; afterwards moves only to a confirmed one. */
    private void reconcile(String name, List<SentinelReading> fresh) {
        Optional<HostPort> candidate = SentinelViewAssembler.majorityAddress(fresh, name);
        if (candidate.isEmpty()) {
            return;
        }
        Belief before;
        List<HostPort> members;
        synchronized (this) {
            before = beliefs.get(name);
            if (before == null) {
                beliefs.put(name, new Belief(candidate.get(), clock.instant(), Optional.empty()));
                LOG.infof("Sentinel master %s is at %s", name, candidate.get());
                return;
            }
            if (before.address().equals(candidate.get())) {
                return;
            }
            members = SentinelViewAssembler.members(readings, name, runIds);
        }
        MasterConfirmer.Result r = confirmer.confirm(name, candidate.get(), members);
        metrics.confirmation(r.took());
        if (r.decision().accepted()) {
            applySwitch(name, before, candidate.get(), r.role(), "found by polling; " + r.decision().reason());
        } else if (!candidate.get().equals(unconfirmedLogged.put(name, candidate.get()))) {
            // Once per candidate: while the Sentinels keep naming a node that fails confirmation, every poll asks again.
            LOG.warnf("Sentinels name %s for master %s, which is not confirmed; keeping %s: %s", candidate.get(), name,
                    before.address(), r.decision().reason());
        }
    }

    /** The masters' ROLE: online replicas and their lag (see {@link MasterRoles}). */
    private void refreshRoles() {
        Map<String, HostPort> asked = new HashMap<>();
        Set<HostPort> replicas = new LinkedHashSet<>();
        synchronized (this) {
            beliefs.forEach((n, b) -> asked.put(n, b.address()));
            readings.forEach(r -> r.masters().values().forEach(m -> m.replicas().forEach(x -> replicas.add(x.address()))));
        }
        Map<String, RoleReply> answered = masterRoles.read(asked, replicas);
        synchronized (this) {
            asked.forEach((n, a) -> {
                Belief b = beliefs.get(n);
                if (b != null && b.address().equals(a)) { // not moved meanwhile by a confirmed switch
                    if (answered.containsKey(n)) {
                        roles.put(n, answered.get(n));
                    } else {
                        roles.remove(n);
                    }
                }
            });
        }
    }

    /**
     * Configured Sentinels first, then peers discovered for any watched master; {@link SentinelViewAssembler#members}
     * already leaves out a peer that is a configured Sentinel under another address.
     */
    private List<HostPort> targets() {
        Set<HostPort> out = new LinkedHashSet<>(settings.sentinelNodes());
        for (String name : SentinelViewAssembler.masterNames(readings)) {
            out.addAll(SentinelViewAssembler.members(readings, name, runIds));
        }
        return new ArrayList<>(out);
    }

    private void requestPoll() {
        if (threads != null && earlyPollScheduled.compareAndSet(false, true)) {
            try {
                threads.poll().schedule(() -> {
                    earlyPollScheduled.set(false);
                    pollQuietly();
                }, EARLY_POLL_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                earlyPollScheduled.set(false); // shutting down
            }
        }
    }

    // ---- events --------------------------------------------------------------------------------------------------

    @Override
    public void onMessage(HostPort sentinel, String channel, String message) {
        metrics.event();
        SentinelEvent e = SentinelEvent.parse(channel, message);
        if (e.type() == SentinelEvent.Type.OTHER || e.master().filter(this::watched).isEmpty()) {
            return;
        }
        if (e.type() == SentinelEvent.Type.SWITCH_MASTER && e.to().isPresent()) {
            onSwitch(sentinel, e.master().get(), e.to().get());
        } else {
            requestPoll();
        }
    }

    private boolean watched(String name) {
        return settings.sentinelMasters().isEmpty() || settings.sentinelMasters().contains(name);
    }

    private void onSwitch(HostPort source, String name, HostPort to) {
        Belief before;
        synchronized (this) {
            before = beliefs.get(name);
        }
        if (before != null && before.address().equals(to)) {
            return; // every Sentinel announces the same switch; the first one already did the work
        }
        String key = name + "@" + to;
        if (!confirming.add(key)) {
            return;
        }
        try {
            threads.confirm().execute(() -> {
                try {
                    confirmSwitch(source, name, to, before);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "confirming the switch of %s to %s failed", name, to);
                } finally {
                    confirming.remove(key);
                }
            });
        } catch (RejectedExecutionException e) {
            confirming.remove(key);
        }
    }

    private void confirmSwitch(HostPort source, String name, HostPort to, Belief before) {
        List<HostPort> members;
        synchronized (this) {
            members = readings.isEmpty() ? settings.sentinelNodes() : SentinelViewAssembler.members(readings, name, runIds);
        }
        MasterConfirmer.Result r = confirmer.confirm(name, to, members);
        metrics.confirmation(r.took());
        if (!r.decision().accepted()) {
            metrics.rejected(name);
            LOG.warnf("ignored +switch-master of %s to %s announced by Sentinel %s: %s", name, to, source, r.decision().reason());
            return;
        }
        applySwitch(name, before, to, r.role(), "+switch-master from " + source + ", confirmed in "
                + r.took().toMillis() + "ms: " + r.decision().reason());
        requestPoll(); // flags, replicas and peers as the Sentinels now see them
    }

    private synchronized void applySwitch(String name, Belief before, HostPort to, Optional<RoleReply> role, String why) {
        Belief now = beliefs.get(name);
        // Identity on purpose: the belief this switch was checked against must still be the current one.
        if (now != before || (now != null && now.address().equals(to))) {
            return;
        }
        Instant at = clock.instant();
        Optional<SentinelView.Failover> failover = before == null ? Optional.empty()
                : Optional.of(new SentinelView.Failover(at, before.address(), to));
        beliefs.put(name, new Belief(to, at, failover));
        role.ifPresentOrElse(r -> roles.put(name, r), () -> roles.remove(name));
        if (failover.isPresent()) {
            metrics.failover(name);
            LOG.infof("Sentinel master %s switched from %s to %s (%s)", name, before.address(), to, why);
        }
        rebuildAndNotify();
    }

    /** Builds the view and hands it to the listeners; callers hold the lock, so views arrive in order. */
    private void rebuildAndNotify() {
        if (readings.isEmpty() && beliefs.isEmpty()) {
            return;
        }
        SentinelView view = SentinelViewAssembler.assemble(clock.instant(), readings, beliefs, roles,
                Set.copyOf(settings.sentinelNodes()), subscriptions.open(), runIds);
        latest = Optional.of(view);
        metrics.onView(view);
        for (Consumer<SentinelView> l : listeners) {
            try {
                l.accept(view);
            } catch (RuntimeException e) {
                LOG.warn("Sentinel view listener failed", e);
            }
        }
    }

    @Override
    public void onResubscribed() {
        requestPoll();
    }
}
