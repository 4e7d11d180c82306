package io.cahoots.agent.fleet;

import io.cahoots.agent.config.Settings;
import io.cahoots.agent.lifecycle.StartupPhase;
import io.cahoots.agent.lifecycle.Background;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The sidecars of one deployment acting as one agent: membership and the one leader that does every fleet-wide duty.
 *
 * <ol>
 *   <li>Every beat ({@link #beatPeriod}: a third of {@code AGENT_LEASE_TIMEOUT}) this member writes its entry (host,
 *       version, start, heartbeat) to the {@link FleetStore} and asks for the leader's lease, which it takes when free
 *       or renews while it holds it. Like the execution lease of jobs, it lives on the cluster and is kept alive by
 *       its holder; it expires {@link #leaderTtl} (two thirds of the lease timeout) after the last renewal, so a
 *       leader that dies is replaced at most one beat later: within {@code AGENT_LEASE_TIMEOUT}.</li>
 *   <li>A member that takes the lock writes who leads since when, and tells its listeners: the duties (pub/sub and
 *       webhooks, the cluster poll, the policy audit and enforcement, crash recovery) start on the leader and stop on
 *       a member that lost the lock.</li>
 *   <li>A leader that cannot reach the store stops leading once it has not renewed its lease for half the lease
 *       timeout -- before the lease can expire and another member take it -- so two members never both lead.</li>
 *   <li>The leader forgets members that have not beaten for three lease timeouts.</li>
 * </ol>
 * With no Redis configured the store is a {@link LocalFleetStore}: a fleet of one, always leader.
 */
@ApplicationScoped
public class Fleet {

    private static final Logger LOG = Logger.getLogger(Fleet.class);

    private final Settings settings;
    private final Clock clock;
    private final Member self;
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<StoredView>> viewListeners = new CopyOnWriteArrayList<>();
    private volatile boolean subscribed;
    private volatile FleetStore store = new LocalFleetStore();
    private volatile boolean shared;
    private volatile boolean leader;
    private volatile long lastConfirmedNanos;
    private volatile Optional<LeaderInfo> leaderInfo = Optional.empty();
    /** Why the last beat could not reach the store, while it cannot; empty once a beat went through. */
    private volatile Optional<String> storeProblem = Optional.empty();
    private volatile long lastProblemLoggedNanos;
    private volatile boolean beaten;
    private ScheduledExecutorService beats;

    public Fleet(Settings settings, Clock clock, MeterRegistry registry,
                 @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String version) {
        this.settings = settings;
        this.clock = clock;
        String host = hostName();
        this.self = new Member(host + "/" + ProcessHandle.current().pid(), host, version, clock.instant(), clock.instant());
        Gauge.builder("cahoots.agent.leader", () -> leader ? 1 : 0)
                .description("1 while this sidecar leads the fleet (exactly one should)").register(registry);
        Gauge.builder("cahoots.agent.fleet.members", () -> members().size())
                .description("Sidecars of the fleet that beat within three lease timeouts, as this one sees them")
                .register(registry);
    }

    /** Before {@link #start}: the store the sidecars share (see {@code boot/ClusterCoordination}). */
    public void install(FleetStore shared) {
        this.store = shared;
        this.shared = true;
    }

    /** After the coordination is installed and before the watchers, so they start knowing who leads. */
    void start(@Observes @Priority(StartupPhase.FLEET) StartupEvent event) {
        beats = Background.scheduler("fleet-beat");
        // The first beat decides who leads before the watchers start; a store that does not answer (a wrong password,
        // Redis down) must not hold the start-up: after FIRST_BEAT_WAIT this sidecar starts as a follower.
        long period = beatPeriod(settings.leaseTimeout()).toMillis();
        var first = beats.submit(this::beat);
        try {
            first.get(FIRST_BEAT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warnf("the fleet store did not answer within %dms: starting as a follower", FIRST_BEAT_WAIT.toMillis());
        } catch (Exception e) {
            LOG.debugf("first beat failed: %s", e.getMessage());
        }
        beats.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
        LOG.infof("fleet member %s (%s)%s", self.id(), leader ? "leader" : "follower",
                shared ? "" : ", alone: no Redis to share with other sidecars");
    }

    void stop(@Observes @Priority(StartupPhase.STOP_FLEET) ShutdownEvent event) {
        if (beats != null) {
            beats.shutdownNow();
        }
        try {
            if (leader) {
                store.resign();
            }
            store.forget(self.id());
        } catch (RuntimeException e) {
            LOG.debugf("could not leave the fleet cleanly: %s", e.getMessage());
        }
    }

    static final Duration PROBLEM_LOG_EVERY = Duration.ofMinutes(1);
    static final Duration FIRST_BEAT_WAIT = Duration.ofSeconds(3);

    /**
     * True while the last beat reached the store: only then is there a leader to follow. A sidecar that cannot reach
     * it answers from its own reads rather than wait for a leader's.
     */
    public boolean storeReachable() {
        return beaten && storeProblem.isEmpty();
    }

    /** Why the store cannot be reached now (shown by {@code GET /api/v1/agents}). */
    public Optional<String> storeProblem() {
        return storeProblem;
    }

    static Duration beatPeriod(Duration leaseTimeout) {
        return Duration.ofMillis(Math.max(100, leaseTimeout.toMillis() / 3));
    }

    public static Duration leaderTtl(Duration leaseTimeout) {
        return Duration.ofMillis(Math.max(200, leaseTimeout.toMillis() * 2 / 3));
    }

    void beat() {
        Instant now = clock.instant();
        try {
            store.announce(self.beat(now));
            subscribeToViews();
            boolean holds = store.lead();
            lastConfirmedNanos = System.nanoTime();
            if (holds && !leader) {
                LeaderInfo info = new LeaderInfo(self.id(), now);
                store.announceLeader(info);
                leaderInfo = Optional.of(info);
                changeTo(true, "took the leader's lease");
            } else if (!holds && leader) {
                changeTo(false, "another member holds the leader's lease");
            }
            if (!holds) {
                leaderInfo = store.leader();
            } else {
                forgetSilentMembers(now);
            }
            storeProblem = Optional.empty();
            beaten = true;
        } catch (RuntimeException e) {
            storeProblem = Optional.of(String.valueOf(e.getMessage()));
            if (System.nanoTime() - lastProblemLoggedNanos > PROBLEM_LOG_EVERY.toNanos()) {
                // Without the store there is no leader: no views are pushed and followers poll by themselves.
                lastProblemLoggedNanos = System.nanoTime();
                LOG.warnf("the fleet store cannot be reached, so no sidecar can lead: %s", e.getMessage());
            }
            long silentMillis = (System.nanoTime() - lastConfirmedNanos) / 1_000_000;
            if (leader && silentMillis > settings.leaseTimeout().toMillis() / 2) {
                changeTo(false, "the fleet store is unreachable (" + e.getMessage() + ")");
            } else {
                LOG.debugf("fleet beat failed: %s", e.getMessage());
            }
        }
    }

    private void forgetSilentMembers(Instant now) {
        Duration silence = settings.leaseTimeout().multipliedBy(3);
        for (Member m : store.members()) {
            if (!m.id().equals(self.id()) && m.heartbeatAt().plus(silence).isBefore(now)) {
                store.forget(m.id());
                LOG.infof("fleet member %s forgotten: no heartbeat since %s", m.id(), m.heartbeatAt());
            }
        }
    }

    private void changeTo(boolean leading, String why) {
        leader = leading;
        LOG.infof("this sidecar %s the fleet: %s", leading ? "now leads" : "no longer leads", why);
        for (Consumer<Boolean> l : listeners) {
            try {
                l.accept(leading);
            } catch (RuntimeException e) {
                LOG.warn("leadership listener failed", e);
            }
        }
    }

    /**
     * Subscribes once to the views the leader stores, on the first beat that reaches the store (the subscription is
     * the store client's from then on; it renews it across reconnections and failovers itself).
     */
    private void subscribeToViews() {
        if (!subscribed) {
            store.onView(v -> viewListeners.forEach(l -> l.accept(v)));
            subscribed = true;
        }
    }

    /** Called with every topology view stored by the leader (on a store thread; must not block). */
    public void onView(Consumer<StoredView> listener) {
        viewListeners.add(listener);
    }

    /** Called with {@code true} when this member becomes leader and {@code false} when it stops, on the beat thread. */
    public void onLeadership(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    public boolean isLeader() {
        return leader;
    }

    /** True when other sidecars can share this one's store (Redis is configured); false for a fleet of one. */
    public boolean shared() {
        return shared;
    }

    public FleetStore store() {
        return store;
    }

    public Member self() {
        return self;
    }

    public Optional<LeaderInfo> leaderInfo() {
        return leaderInfo;
    }

    /** Members that beat within three lease timeouts, oldest first; this one always included. */
    public List<Member> members() {
        Instant horizon = clock.instant().minus(settings.leaseTimeout().multipliedBy(3));
        List<Member> all;
        try {
            all = store.members();
        } catch (RuntimeException e) {
            all = List.of(self);
        }
        List<Member> out = new java.util.ArrayList<>(all.stream().filter(m -> m.heartbeatAt().isAfter(horizon)).toList());
        if (out.stream().noneMatch(m -> m.id().equals(self.id()))) {
            out.add(self);
        }
        out.sort(Comparator.comparing(Member::startedAt).thenComparing(Member::id));
        return out;
    }

    private static String hostName() {
        String pod = System.getenv("HOSTNAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }
}
