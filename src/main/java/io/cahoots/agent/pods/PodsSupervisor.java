package io.cahoots.agent.pods;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.config.KubeSettings;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.executor.ClusterCommands;
import io.cahoots.agent.executor.Job;
import io.cahoots.agent.executor.JobConflictException;
import io.cahoots.agent.executor.JobManager;
import io.cahoots.agent.executor.NodeService;
import io.cahoots.agent.fleet.Fleet;
import io.cahoots.agent.observe.ClusterWatch;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.cahoots.agent.lifecycle.Background;
import io.cahoots.agent.lifecycle.StartupPhase;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the Redis pods and the cluster in step: maps nodes to pods, heals a cluster whose pods all came back at new
 * addresses, joins new pods of the StatefulSet and drains the ones a scale-down removes (docs/kubernetes.md).
 *
 * <p>Every tick (the poll interval, 250ms-2s), on every sidecar:
 * <ol>
 *   <li>List the pods ({@link PodSource}); on Kubernetes hand their addresses to the cluster watch as extra seeds
 *       (after a full restart every address it knew is dead); map nodes to pods ({@link RedisPods}) for the API.</li>
 *   <li>Only on the fleet's leader -- or on every sidecar while the fleet's store (which lives on the cluster) cannot
 *       be reached, since then no leader can exist and the cluster may be exactly what needs healing; the MEETs are
 *       idempotent -- read each pod's {@code CLUSTER NODES} and plan a heal ({@link HealPlanner}). Isolated nodes
 *       left so for {@link #HEAL_GRACE} get their MEETs; nothing else happens while any node is isolated.</li>
 *   <li>On Kubernetes, with the cluster ok and no job running: an operator's request for fewer replicas
 *       ({@value PodSource#REPLICAS_REQUEST}) drains the leaving ordinals one {@code remove-node} job at a time and only
 *       then lowers {@code spec.replicas} (the scale-down is held, and says so, until no slot would be lost); a request
 *       for more raises it at once; a {@code spec.replicas} lowered directly has its leaving ordinals drained at once,
 *       with a warning; a new empty pod below the target joins with an {@code add-node} job, as a replica of
 *       {@link PodPlanner#masterFor} or as a master followed by a rebalance ({@code AGENT_KUBE_JOIN_AS}).</li>
 * </ol>
 *
 * <p>The shard autoscaler scales the StatefulSet through the same annotation ({@link #requestReplicas}), two pods per
 * step. For a scale-out it first {@link #reserve reserves} the two new ordinals: this supervisor raises
 * {@code spec.replicas} but leaves the reserved pods alone, and the autoscaler's step joins them as ONE shard (the
 * lower ordinal as a master, the other as its replica, then a rebalance) whatever {@code AGENT_KUBE_JOIN_AS} says. A
 * scale-in is an ordinary request for fewer: the drain above takes the two highest ordinals out.
 */
@ApplicationScoped
public class PodsSupervisor {

    private static final Logger LOG = Logger.getLogger(PodsSupervisor.class);
    /** How long nodes may stay isolated before the agent meets them: restarts settle, single moves gossip away. */
    static final Duration HEAL_GRACE = Duration.ofSeconds(5);
    /** Between two rounds of MEETs, for the handshakes of the last round to finish. */
    static final Duration MEET_AGAIN_AFTER = Duration.ofSeconds(3);
    static final int ACTIONS_KEPT = 30;

    private final KubeSettings kube;
    private final Settings settings;
    private final ClusterWatch watch;
    private final Fleet fleet;
    private final JobManager jobs;
    private final NodeService nodes;
    private final ClusterCommands redis;
    private final PodSource source;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    private volatile List<HostPort> podAddresses = List.of();
    private volatile RedisPods mapping = RedisPods.empty();
    private volatile PodList lastList = PodList.of(List.of());
    /** Ordinals a shard step joins itself: never joined here (see the class comment). */
    private volatile Set<Integer> reserved = Set.of();
    private volatile PodsStatus status = PodsStatus.off("not started");
    private final Deque<PodsStatus.Action> actions = new ArrayDeque<>();
    private Instant isolatedSince;
    private Instant lastMeetAt;
    private long meetsSent;
    private String lastHold;

    public PodsSupervisor(KubeSettings kube, Settings settings, ClusterWatch watch, Fleet fleet, JobManager jobs,
                          NodeService nodes, ClusterCommands redis, PodSource source, Clock clock) {
        this.kube = kube;
        this.settings = settings;
        this.watch = watch;
        this.fleet = fleet;
        this.jobs = jobs;
        this.nodes = nodes;
        this.redis = redis;
        this.source = source;
        this.clock = clock;
    }

    void start(@Observes @Priority(StartupPhase.POD_SUPERVISION) StartupEvent event) {
        if (!watch.enabled()) {
            status = PodsStatus.off("AGENT_CLUSTER_NODES is unset");
            return;
        }
        if (source.scalable()) {
            // Pod IPs are where the nodes are now; off Kubernetes the configured seeds stay the observer's only seeds
            // (a lab's stopped spare must not become an unreachable seed of every snapshot).
            watch.extraSeeds(() -> podAddresses);
        }
        long period = Math.max(250, Math.min(2000, settings.pollInterval().toMillis()));
        scheduler = Background.scheduler("redis-pods");
        scheduler.scheduleWithFixedDelay(this::tick, 0, period, TimeUnit.MILLISECONDS);
        LOG.infof("Redis pods: %s%s", source.describe(), source.scalable() ? ", new pods join as " + joinAs() : " (heal only)");
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    public PodsStatus status() {
        return status;
    }

    /** The latest node <-> pod mapping (empty before the first look). */
    public RedisPods mapping() {
        return mapping;
    }

    /** A StatefulSet stands behind the pods (Kubernetes): the shard autoscaler may scale it. */
    public boolean scalable() {
        return source.scalable();
    }

    /** The last look at the pods (no pod before the first). */
    public PodList lastList() {
        return lastList;
    }

    /**
     * Asks for {@code replicas} through the {@value PodSource#REPLICAS_REQUEST} annotation of the StatefulSet the last
     * look named; the next ticks apply it as they apply an operator's request.
     */
    public void requestReplicas(int replicas, String why) {
        String set = lastList.statefulSet().orElseThrow(() -> new IllegalStateException("no StatefulSet listed yet"));
        source.request(set, replicas);
        record(PodSource.REPLICAS_REQUEST + "=" + replicas + " on " + set + ": " + why);
        LOG.infof("Redis pods: %s=%d on %s: %s", PodSource.REPLICAS_REQUEST, replicas, set, why);
    }

    /** The pods of these ordinals are joined by the caller (a shard step), not by this supervisor, until {@link #release}. */
    public void reserve(Set<Integer> ordinals, String why) {
        reserved = Set.copyOf(ordinals);
        record("ordinals " + new TreeSet<>(ordinals) + " reserved: " + why);
    }

    public void release() {
        if (!reserved.isEmpty()) {
            record("ordinals " + new TreeSet<>(reserved) + " released");
        }
        reserved = Set.of();
    }

    private String joinAs() {
        return kube.joinAs().name().toLowerCase(java.util.Locale.ROOT);
    }

    synchronized void tick() {
        PodList list;
        try {
            list = source.list();
        } catch (RuntimeException e) {
            publish(PodList.of(List.of()), "standby".equals(status.mode()) ? "standby" : mode(), null, null,
                    "cannot list the pods: " + e.getMessage());
            LOG.debugf("cannot list the pods: %s", e.getMessage());
            return;
        }
        try {
            lastList = list;
            podAddresses = list.pods().stream().filter(p -> !p.deleting()).flatMap(p -> p.address().stream()).toList();
            Optional<ClusterSnapshot> snapshot = watch.latest();
            mapping = snapshot.map(s -> RedisPods.map(list.pods(), s)).orElse(RedisPods.empty());
            if (!fleet.isLeader() && fleet.storeReachable()) {
                publish(list, "standby", null, null, null);
                return;
            }
            PodsStatus.Heal heal = heal();
            if (!heal.state().equals("ok") || snapshot.isEmpty() || !source.scalable()) {
                publish(list, mode(), heal, null, null);
                return;
            }
            String held = scale(list, watch.latest().orElse(snapshot.get()));
            publish(list, mode(), heal, held, null);
        } catch (RuntimeException e) {
            LOG.warn("Redis pods tick failed", e);
            publish(list, mode(), null, null, e.getMessage());
        }
    }

    private String mode() {
        return source.scalable() ? "kubernetes" : "addresses";
    }

    // --- heal -------------------------------------------------------------------------------------------------

    private PodsStatus.Heal heal() {
        Map<HostPort, List<NodeEntry>> views = new LinkedHashMap<>();
        for (HostPort a : podAddresses) {
            try {
                views.put(a, redis.clusterNodes(a));
            } catch (RuntimeException e) {
                // a pod not answering yet: nothing to heal through it
            }
        }
        HealPlanner.Plan plan = HealPlanner.plan(views);
        Instant now = clock.instant();
        List<String> isolated = plan.isolated().stream().map(HostPort::toString).toList();
        if (plan.isolated().isEmpty()) {
            if (isolatedSince != null) {
                record("every node reaches its peers again" + (lastMeetAt != null ? " (last MEETs at " + lastMeetAt + ")" : ""));
                isolatedSince = null;
            }
            return new PodsStatus.Heal("ok", List.of(), null, meetsSent, lastMeetAt);
        }
        if (isolatedSince == null) {
            isolatedSince = now;
            LOG.infof("isolated Redis nodes (they list no peer where it is now): %s; healing after %ss unless gossip does",
                    isolated, HEAL_GRACE.toSeconds());
        }
        boolean due = !now.isBefore(isolatedSince.plus(HEAL_GRACE))
                && (lastMeetAt == null || !now.isBefore(lastMeetAt.plus(MEET_AGAIN_AFTER)));
        if (due && plan.needed()) {
            int sent = 0;
            for (HealPlanner.Meet m : plan.meets()) {
                try {
                    redis.meet(m.node(), m.peer(), m.peerBusPort());
                    sent++;
                } catch (RuntimeException e) {
                    LOG.warnf("heal: %s failed: %s", m, e.getMessage());
                }
            }
            meetsSent += sent;
            lastMeetAt = now;
            String what = "heal: " + plan.isolated().size() + " isolated node(s) " + isolated + ", " + plan.staleEntries()
                    + " stale peer address(es): sent " + sent + " CLUSTER MEET(s) with the current addresses";
            record(what);
            LOG.info(what);
        }
        return new PodsStatus.Heal(lastMeetAt != null && !lastMeetAt.isBefore(isolatedSince) ? "reconnecting" : "waiting",
                isolated, isolatedSince, meetsSent, lastMeetAt);
    }

    // --- join and drain ---------------------------------------------------------------------------------------

    /** @return the held scale-down, when one is held */
    private String scale(PodList list, ClusterSnapshot s) {
        if (list.statefulSet().isEmpty() || list.specReplicas().isEmpty()) {
            return null;
        }
        String set = list.statefulSet().get();
        int spec = list.specReplicas().getAsInt();
        OptionalInt requested = list.requestedReplicas();
        if (requested.isPresent() && requested.getAsInt() > spec) {
            source.scale(set, requested.getAsInt());
            boolean shard = !reserved.isEmpty();
            say(set, false, "ScaleUp", "spec.replicas " + spec + " -> " + requested.getAsInt() + " as requested by "
                    + PodSource.REPLICAS_REQUEST + "; the new pods join as " + (shard
                    ? "one shard (ordinals " + new TreeSet<>(reserved) + ", joined by the shard autoscaler's step)" : joinAs()));
            return null;
        }
        if (!"ok".equals(s.state()) || jobs.running().isPresent()) {
            return lastHold;
        }
        int target = Math.min(spec, requested.orElse(spec));
        List<ClusterNode> leaving = PodPlanner.leaving(s, mapping, target);
        if (!leaving.isEmpty()) {
            int slots = PodPlanner.slotsLeaving(leaving);
            String names = leaving.stream().map(n -> mapping.podOf(n.id()).map(RedisPod::name).orElse(n.id())).toList().toString();
            String hold = requested.isPresent() && requested.getAsInt() < spec
                    ? "scale-down of " + set + " to " + target + " held at " + spec + " replicas until " + names
                    + " are drained and forgotten (" + slots + " slots to move)"
                    : "spec.replicas of " + set + " is " + spec + " but " + names + " are still members (" + slots
                    + " slots): draining them now; scale through the " + PodSource.REPLICAS_REQUEST + " annotation so that the agent"
                    + " lowers spec.replicas only after the drain";
            if (!hold.equals(lastHold)) {
                say(set, requested.isEmpty() || requested.getAsInt() >= spec, "ScaleDownHeld", hold);
                lastHold = hold;
            }
            ClusterNode next = leaving.get(0);
            start(() -> nodes.remove(next.id()), "drain " + mapping.podOf(next.id()).map(RedisPod::name).orElse("?") + " ("
                    + next.addressText() + ", " + next.role().wire() + ", " + next.slotCount() + " slots)");
            return hold;
        }
        lastHold = null;
        if (requested.isPresent() && requested.getAsInt() < spec) {
            Optional<String> member = stillMember(list, target);
            if (member.isPresent()) {
                return "scale-down of " + set + " to " + target + " held: " + member.get();
            }
            source.scale(set, requested.getAsInt());
            say(set, false, "ScaleDown", "spec.replicas " + spec + " -> " + requested.getAsInt()
                    + ": the leaving pods hold no slot and are no members any more");
            return null;
        }
        join(list, s, target);
        return null;
    }

    /**
     * Why a pod that would go may still be a member, checked on the pods themselves and not on the snapshot: a
     * drained node is reset and knows nobody, and a pod that does not answer must not be listed by the cluster.
     */
    private Optional<String> stillMember(PodList list, int target) {
        ClusterSnapshot fresh = watch.refresh();
        for (RedisPod p : list.pods()) {
            if (p.ordinal().isEmpty() || p.ordinal().getAsInt() < target || p.address().isEmpty()) {
                continue;
            }
            try {
                ClusterCommands.Probe probe = redis.probe(p.address().get());
                if (probe.knownNodes() > 1 || fresh.node(probe.id()).isPresent()) {
                    return Optional.of(p.name() + " still knows " + (probe.knownNodes() - 1) + " other node(s)");
                }
            } catch (RuntimeException e) {
                if (fresh.nodeAt(p.address().get()).isPresent()) {
                    return Optional.of(p.name() + " does not answer and the cluster still lists it");
                }
            }
        }
        return Optional.empty();
    }

    private void join(PodList list, ClusterSnapshot s, int target) {
        List<RedisPod> candidates = mapping.unmappedPods().stream()
                .filter(p -> p.address().isPresent() && !p.deleting() && p.ordinal().isPresent() && p.ordinal().getAsInt() < target)
                .filter(p -> !reserved.contains(p.ordinal().getAsInt()))
                .sorted(Comparator.comparingInt(p -> p.ordinal().getAsInt())).toList();
        for (RedisPod pod : candidates) {
            HostPort a = pod.address().get();
            ClusterCommands.Probe probe;
            try {
                probe = redis.probe(a);
            } catch (RuntimeException e) {
                continue; // not answering yet
            }
            if (!probe.clusterEnabled() || probe.knownNodes() > 1 || probe.keys() > 0 || s.node(probe.id()).isPresent()) {
                continue; // a member being healed, or a node the agent must not take (it says why in the status)
            }
            if (kube.joinAs() == KubeSettings.JoinAs.MASTER) {
                start(() -> nodes.add(a, NodeService.Role.MASTER, Optional.empty(), true),
                        "join " + pod.name() + " (" + a + ") as a master, then rebalance");
            } else {
                Optional<ClusterNode> master = PodPlanner.masterFor(s, mapping, pod.kubeNode());
                if (master.isEmpty()) {
                    return;
                }
                start(() -> nodes.add(a, NodeService.Role.REPLICA, Optional.of(master.get().id()), false),
                        "join " + pod.name() + " (" + a + ") as a replica of " + master.get().addressText()
                                + mapping.podOf(master.get().id()).map(p -> " (" + p.name() + p.kubeNode().map(k -> " on " + k).orElse("") + ")").orElse(""));
            }
            return; // one job at a time
        }
    }

    private void start(java.util.function.Supplier<Job> job, String what) {
        try {
            Job j = job.get();
            record(what + ": job " + j.id());
            LOG.infof("Redis pods: %s (job %s)", what, j.id());
        } catch (JobConflictException e) {
            LOG.debugf("Redis pods: %s waits: %s", what, e.getMessage());
        } catch (RuntimeException e) {
            record(what + " refused: " + e.getMessage());
            LOG.warnf("Redis pods: %s refused: %s", what, e.getMessage());
        }
    }

    private void say(String set, boolean warning, String reason, String message) {
        record(message);
        if (warning) {
            LOG.warn(message);
        } else {
            LOG.info(message);
        }
        source.event(set, warning, reason, message);
    }

    private void record(String what) {
        synchronized (actions) {
            actions.addFirst(new PodsStatus.Action(clock.instant(), what));
            while (actions.size() > ACTIONS_KEPT) {
                actions.removeLast();
            }
        }
    }

    private void publish(PodList list, String mode, PodsStatus.Heal heal, String held, String error) {
        ClusterSnapshot s = watch.latest().orElse(null);
        List<PodsStatus.Pod> pods = list.pods().stream().map(p -> {
            Optional<String> id = mapping.nodeOf(p.name());
            Optional<ClusterNode> n = id.flatMap(i -> s == null ? Optional.empty() : s.node(i));
            return new PodsStatus.Pod(p.name(), p.address().map(HostPort::toString).orElse(null),
                    p.ordinal().isPresent() ? p.ordinal().getAsInt() : null, p.kubeNode().orElse(null), p.ready(), p.deleting(),
                    id.orElse(null), n.map(x -> x.role().wire()).orElse(null), n.map(ClusterNode::slotCount).orElse(null));
        }).toList();
        List<PodsStatus.Action> recent;
        synchronized (actions) {
            recent = List.copyOf(actions);
        }
        status = new PodsStatus(mode, source.describe(), source.scalable() ? joinAs() : null, list.statefulSet().orElse(null),
                list.specReplicas().isPresent() ? list.specReplicas().getAsInt() : null,
                list.requestedReplicas().isPresent() ? list.requestedReplicas().getAsInt() : null,
                pods, heal, held, recent, error);
    }
}
