package io.cahoots.agent.caching;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeMetrics;
import io.cahoots.agent.config.PolicySettings;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.fleet.Fleet;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.caching.MemoryDrift.Change;
import io.cahoots.agent.caching.MemoryDrift.NodeCheck;
import io.cahoots.agent.caching.PolicyRedis.MemoryState;
import io.cahoots.agent.redis.RedisException;
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
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Keeps every data node to the caching strategy's memory policy and audits key TTLs.
 *
 * <ol>
 *   <li>After every cluster poll (on the poll thread, no I/O): each node's {@code maxmemory} and
 *       {@code maxmemory-policy}, already in the snapshot from {@code INFO}, are compared with the settings
 *       ({@link MemoryDrift#check}); metrics and {@link #status()} follow at once.</li>
 *   <li>After every Sentinel poll: the Sentinel-managed master and replicas are read with {@code INFO memory} on the
 *       policy thread and compared the same way.</li>
 *   <li>With {@code AGENT_POLICY_ENFORCE=true} and drift found: on the policy thread, {@link MemoryDrift#plan} gives
 *       the {@code CONFIG SET}s, policy before limit, never a limit below the memory in use. A change just applied is
 *       not repeated for a few polls (the next snapshot may predate it); a refused or failed one is retried after a
 *       minute, so a node that refuses {@code CONFIG} is not hammered every second.</li>
 *   <li>Every {@code AGENT_POLICY_AUDIT_INTERVAL}, on the policy thread: one {@link TtlAuditor} cycle over the current
 *       masters (cluster masters and Sentinel-managed masters).</li>
 * </ol>
 * Every Redis call runs on this class' single daemon thread, never on the event loop or a watcher's thread; a listener
 * only queues work (coalesced: at most one pending read and one pending enforcement). Only the fleet's leader does any
 * of it (the Sentinel reads, enforcement, the audit): a follower serves the leader's report (see {@code SharedViews}).
 */
@ApplicationScoped
public class PolicyService {

    private static final Logger LOG = Logger.getLogger(PolicyService.class);

    static final int CORRECTIONS_KEPT = 50;
    static final Duration RETRY_AFTER_REFUSAL = Duration.ofMinutes(1);

    private final PolicySettings settings;
    private final Settings agent;
    private final ClusterWatch cluster;
    private final SentinelWatcher sentinel;
    private final PolicyRedis redis;
    private final PolicyMetrics metrics;
    private final Clock clock;
    private final Fleet fleet;
    private final MemoryDrift.Target target;
    private final AtomicBoolean enforcementQueued = new AtomicBoolean();
    private final AtomicBoolean sentinelReadQueued = new AtomicBoolean();
    private final Deque<Correction> corrections = new ArrayDeque<>();
    /** (node, setting, value) -> not before; touched by the policy thread only. */
    private final Map<String, Instant> notBefore = new HashMap<>();
    private volatile Checks clusterChecks = Checks.NONE;
    private volatile Checks sentinelChecks = Checks.NONE;
    private volatile TtlAuditor auditor;
    private ScheduledExecutorService thread;

    /** The latest check of one source. */
    private record Checks(List<NodeCheck> nodes, Optional<Instant> at) {
        static final Checks NONE = new Checks(List.of(), Optional.empty());
    }

    public PolicyService(PolicySettings settings, Settings agent, ClusterWatch cluster, SentinelWatcher sentinel,
                         PolicyRedis redis, PolicyMetrics metrics, Clock clock, Fleet fleet) {
        this.fleet = fleet;
        this.settings = settings;
        this.agent = agent;
        this.cluster = cluster;
        this.sentinel = sentinel;
        this.redis = redis;
        this.metrics = metrics;
        this.clock = clock;
        this.target = MemoryDrift.Target.of(settings);
    }

    /** After the watchers, so their first poll is already scheduled. */
    void start(@Observes @Priority(StartupPhase.CACHING_POLICY) StartupEvent event) {
        if (!enabled()) {
            LOG.info("no AGENT_CLUSTER_NODES and no AGENT_SENTINEL_NODES: the Redis policy has nothing to check");
            return;
        }
        thread = Background.scheduler("policy");
        auditor = new TtlAuditor(redis, settings, metrics, clock);
        cluster.addListener(this::onSnapshot);
        sentinel.addListener(v -> queue(sentinelReadQueued, this::readSentinelNodes));
        if (settings.auditEnabled()) {
            long period = settings.auditInterval().toMillis();
            thread.scheduleWithFixedDelay(this::auditQuietly, period, period, TimeUnit.MILLISECONDS);
        }
        LOG.infof("Redis policy: %s, %s; %s", settings,
                sentinel.enabled() ? "cluster and Sentinel-managed nodes" : "cluster nodes",
                settings.enforce() ? "drift is corrected" : "drift is reported (AGENT_POLICY_ENFORCE=false)");
    }

    void stop(@Observes ShutdownEvent event) {
        if (thread != null) {
            thread.shutdownNow();
        }
    }

    public boolean enabled() {
        return cluster.enabled() || sentinel.enabled();
    }

    // ---- memory check ---------------------------------------------------------------------------------------------

    /** On the cluster poll thread: pure comparison only. */
    void onSnapshot(ClusterSnapshot s) {
        List<NodeMemory> nodes = new ArrayList<>();
        for (ClusterNode n : s.nodes()) {
            if (n.address().isEmpty()) {
                continue; // a node known only by id (handshake): nothing to compare or correct
            }
            nodes.add(memoryOf(n));
        }
        clusterChecks = new Checks(MemoryDrift.checkAll(nodes, target), Optional.of(s.takenAt()));
        afterCheck(clusterChecks);
    }

    static NodeMemory memoryOf(ClusterNode n) {
        HostPort a = n.address().get();
        Optional<String> id = Optional.of(n.id());
        Optional<NodeMetrics> m = n.metrics().filter(x -> !x.loading());
        if (m.isEmpty()) {
            String why = n.metrics().isPresent() ? "loading its data set" : n.error().orElse("not read in the last poll");
            return NodeMemory.unreadable(a, NodeMemory.CLUSTER, n.role().wire(), id, why);
        }
        return NodeMemory.read(a, NodeMemory.CLUSTER, n.role().wire(), id,
                new MemoryState(m.get().usedMemoryBytes(), m.get().maxMemoryBytes(), m.get().maxMemoryPolicy()));
    }

    /** On the policy thread: INFO memory of every node of every Sentinel-managed group. */
    private void readSentinelNodes() {
        Optional<SentinelView> view = sentinel.latest();
        if (view.isEmpty()) {
            return;
        }
        List<NodeMemory> nodes = new ArrayList<>();
        view.get().masters().values().forEach(m -> {
            String group = NodeMemory.sentinelGroup(m.name());
            nodes.add(read(m.address(), group, "master"));
            m.replicas().forEach(r -> nodes.add(read(r.address(), group, "replica")));
        });
        sentinelChecks = new Checks(MemoryDrift.checkAll(nodes, target), Optional.of(clock.instant()));
        afterCheck(sentinelChecks);
    }

    private NodeMemory read(HostPort address, String group, String role) {
        try {
            return NodeMemory.read(address, group, role, Optional.empty(), redis.memory(address));
        } catch (RedisException e) {
            return NodeMemory.unreadable(address, group, role, Optional.empty(), e.getMessage());
        }
    }

    private void afterCheck(Checks latest) {
        metrics.onChecks(allChecks());
        if (settings.enforce() && latest.nodes().stream().anyMatch(c -> !c.drifted().isEmpty())) {
            queue(enforcementQueued, this::enforce);
        }
    }

    private List<NodeCheck> allChecks() {
        return Stream.concat(clusterChecks.nodes().stream(), sentinelChecks.nodes().stream()).toList();
    }

    // ---- enforcement ----------------------------------------------------------------------------------------------

    /** On the policy thread. */
    private void enforce() {
        Instant now = clock.instant();
        notBefore.values().removeIf(t -> !now.isBefore(t));
        for (NodeCheck c : allChecks()) {
            for (Change change : MemoryDrift.plan(c, target)) {
                String key = change.node() + " " + change.setting() + " " + change.to();
                if (!notBefore.containsKey(key)) {
                    notBefore.put(key, now.plus(apply(change, now) ? settleTime() : RETRY_AFTER_REFUSAL));
                }
            }
        }
    }

    /** @return whether the change was made */
    private boolean apply(Change c, Instant now) {
        if (c.refused().isPresent()) {
            LOG.warnf("policy: not setting %s on %s to %s: %s", c.setting(), c.node(), c.to(), c.refused().get());
            record(new Correction(now, c.node(), c.setting(), Optional.empty(), Optional.of(c.from()), c.to(), 0,
                    "refused", c.refused().get()));
            metrics.correction(c.setting(), "refused", 1);
            return false;
        }
        try {
            redis.configSet(c.node(), c.setting(), c.to());
            LOG.infof("policy: CONFIG SET %s %s on %s (was %s)", c.setting(), c.to(), c.node(), c.from());
            record(new Correction(now, c.node(), c.setting(), Optional.empty(), Optional.of(c.from()), c.to(), 0,
                    "applied", "CONFIG SET " + c.setting() + " " + c.to()));
            metrics.correction(c.setting(), "applied", 1);
            return true;
        } catch (RedisException e) {
            LOG.warnf("policy: CONFIG SET %s %s on %s failed: %s", c.setting(), c.to(), c.node(), e.getMessage());
            record(new Correction(now, c.node(), c.setting(), Optional.empty(), Optional.of(c.from()), c.to(), 0,
                    "failed", e.getMessage()));
            metrics.correction(c.setting(), "failed", 1);
            return false;
        }
    }

    /** A few polls: the snapshot that shows a change may be taken a poll after it was made. */
    private Duration settleTime() {
        Duration three = agent.pollInterval().multipliedBy(3);
        return three.compareTo(Duration.ofSeconds(2)) > 0 ? three : Duration.ofSeconds(2);
    }

    // ---- TTL audit ------------------------------------------------------------------------------------------------

    private void auditQuietly() {
        if (!fleet.isLeader()) {
            return;
        }
        try {
            List<TtlAuditor.Target> targets = new ArrayList<>();
            cluster.latest().ifPresent(s -> s.masters().stream().filter(n -> n.address().isPresent() && n.metrics().isPresent())
                    .forEach(n -> targets.add(new TtlAuditor.Target(n.address().get(), NodeMemory.CLUSTER))));
            sentinel.latest().ifPresent(v -> v.masters().values().forEach(m ->
                    targets.add(new TtlAuditor.Target(m.address(), NodeMemory.sentinelGroup(m.name())))));
            for (TtlAuditor.TtlCorrection c : auditor.cycle(targets)) {
                LOG.infof("policy: EXPIRE %d keys matching %s on %s to at most %ds", c.keys(), c.pattern(), c.node(), c.ttlSeconds());
                record(new Correction(clock.instant(), c.node(), "ttl", Optional.of(c.pattern()), Optional.empty(),
                        Long.toString(c.ttlSeconds()), c.keys(), "applied", "EXPIRE key " + c.ttlSeconds() + " LT"));
            }
        } catch (RuntimeException e) {
            LOG.warn("policy audit cycle failed", e); // the schedule must survive anything one cycle throws
        }
    }

    // ---- plumbing -------------------------------------------------------------------------------------------------

    private void queue(AtomicBoolean pending, Runnable work) {
        if (thread == null || !fleet.isLeader() || !pending.compareAndSet(false, true)) {
            return;
        }
        try {
            thread.execute(() -> {
                pending.set(false);
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.warn("policy task failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            pending.set(false); // shutting down
        }
    }

    private void record(Correction c) {
        synchronized (corrections) {
            corrections.addFirst(c);
            while (corrections.size() > CORRECTIONS_KEPT) {
                corrections.removeLast();
            }
        }
    }

    public PolicyStatus status() {
        Checks c = clusterChecks;
        Checks s = sentinelChecks;
        TtlAuditor a = auditor;
        List<PolicyStatus.NodeStatus> nodes = new ArrayList<>();
        for (NodeCheck check : Stream.concat(c.nodes().stream(), s.nodes().stream()).toList()) {
            nodes.add(new PolicyStatus.NodeStatus(check,
                    a == null || !check.node().isMaster() ? Optional.empty() : a.report(check.node().address())));
        }
        Optional<Instant> at = Stream.of(c.at(), s.at()).flatMap(Optional::stream).max(Instant::compareTo);
        List<Correction> log;
        synchronized (corrections) {
            log = List.copyOf(corrections);
        }
        return new PolicyStatus(settings, at, cluster.enabled(), sentinel.enabled(), nodes,
                new PolicyStatus.AuditState(settings.auditEnabled(), a == null ? 0 : a.cycles(),
                        a == null ? Optional.empty() : a.lastCycleAt()), log);
    }
}
