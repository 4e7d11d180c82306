package io.cahoots.agent.observe;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.InfoReply;
import io.cahoots.agent.cluster.Membership;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.NodeObservation;
import io.cahoots.agent.cluster.SnapshotAssembler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Builds one {@link ClusterSnapshot} per call to {@link #poll()}, at a cost per node that does not grow with
 * the cluster: one node sends its whole view, the others prove they hold the same one.
 *
 * <ol>
 *   <li>Targets are the seed addresses plus every address the last snapshot knew.</li>
 *   <li>One target per poll, rotating (all seeds in the first poll), is read in full: {@code CLUSTER NODES}
 *       (a line per node). Every other target is read cheaply: its own {@code CLUSTER NODES} line (which alone
 *       carries its open-slot markers), the {@link io.cahoots.agent.cluster.ViewDigest} of its view and its
 *       {@code CLUSTER INFO}; about 1 KB whatever the cluster's size. {@code INFO} is read from every node
 *       whose metrics are due ({@code metricsInterval}; zero: every poll up to {@value #METRICS_READS_PER_POLL} nodes,
 *       beyond that each node every N/{@value #METRICS_READS_PER_POLL} polls, staggered).</li>
 *   <li>A cheap read whose digest equals that of a view already read gets that view object, shared, not
 *       copied. For each other digest one of its nodes is asked for its whole view, up to {@value #RESOLVE_ROUNDS}
 *       rounds. So agreeing nodes cost one full read per poll, and each distinct view costs one more:
 *       agreement, pfail/fail opinions, open slots, cluster state and unreachable nodes stay as complete as when
 *       every node sent its whole view, and a change shows in the poll that reads it.</li>
 *   <li>All reads run in parallel, each bounded by the per-node timeout; a node whose previous read is still
 *       hanging (e.g. a {@code SIGSTOP}ped process) is not asked again, it is reported unreachable at once.</li>
 *   <li>Addresses that the views reveal and that were not read yet are read (cheaply) in a further wave (at
 *       most {@value #MAX_WAVES}), so a single seed is enough to see the whole cluster in the first poll.</li>
 *   <li>Nodes outside the cluster (a removed node still answering at its old address) are left out
 *       ({@link Membership}); the rest is merged by {@link SnapshotAssembler}. Addresses that no member
 *       mentions any more, and that are not seeds, drop from the targets.</li>
 * </ol>
 */
public final class ClusterObserver {

    static final int MAX_WAVES = 3;
    static final int RESOLVE_ROUNDS = 3;
    /** Without {@code AGENT_METRICS_INTERVAL}: at most about this many {@code INFO} reads per poll (see metricsDue). */
    static final int METRICS_READS_PER_POLL = 200;
    /** Slack over the per-node timeout for thread hand-off; the timeout itself is enforced by the socket. */
    private static final long DEADLINE_SLACK_MILLIS = 250;

    private final List<HostPort> seeds;
    private final NodeReader reader;
    private final Duration timeout;
    private final Duration metricsInterval;
    private int knownNodes;
    private final Clock clock;
    private final ExecutorService executor;
    private final Map<HostPort, CompletableFuture<NodeObservation>> inFlight = new ConcurrentHashMap<>();
    private final Map<HostPort, InfoReply> lastInfo = new HashMap<>();
    private final Map<HostPort, Instant> lastInfoAt = new HashMap<>();
    private volatile Optional<ClusterSnapshot> last = Optional.empty();
    private volatile Supplier<List<HostPort>> extraSeeds = List::of;
    private long polls;

    /** Every node read in full on every poll, as {@code reader} does it: the behaviour before cheap reads. */
    public ClusterObserver(List<HostPort> seeds, BiFunction<HostPort, Boolean, NodeObservation> reader, Duration timeout,
                           Clock clock, ExecutorService executor) {
        this(seeds, NodeReader.fullOnly(reader), timeout, Duration.ZERO, clock, executor);
    }

    /** @param metricsInterval how often each node's {@code INFO} is read; zero: on every poll */
    public ClusterObserver(List<HostPort> seeds, NodeReader reader, Duration timeout, Duration metricsInterval,
                           Clock clock, ExecutorService executor) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("no seed nodes");
        }
        this.seeds = List.copyOf(seeds);
        this.reader = reader;
        this.timeout = timeout;
        this.metricsInterval = metricsInterval;
        this.clock = clock;
        this.executor = executor;
    }

    public Optional<ClusterSnapshot> last() {
        return last;
    }

    /**
     * Continues from a snapshot taken elsewhere (the fleet leader's): the next poll reads the nodes it names and
     * numbers its topology after it, as the leader's next poll would.
     */
    public void seed(ClusterSnapshot snapshot) {
        last = Optional.of(snapshot);
    }

    /**
     * More addresses to read on every poll, like seeds: where the Redis pods are now. After every pod restarted with a
     * new IP, the configured seeds and the last snapshot's addresses may all be dead ones.
     */
    public void extraSeeds(Supplier<List<HostPort>> extra) {
        this.extraSeeds = extra;
    }

    public synchronized ClusterSnapshot poll() {
        long started = System.nanoTime();
        Instant takenAt = clock.instant();
        List<HostPort> seeds = seeds();
        Set<HostPort> targets = new LinkedHashSet<>(seeds);
        last.ifPresent(s -> s.nodes().stream().map(ClusterNode::address).flatMap(Optional::stream).forEach(targets::add));
        List<HostPort> ordered = new ArrayList<>(targets);
        knownNodes = ordered.size();
        Set<HostPort> fullRead = last.isEmpty() ? new LinkedHashSet<>(seeds)
                : Set.of(ordered.get((int) (polls % ordered.size())));
        polls++;

        Map<HostPort, NodeObservation> observed = new LinkedHashMap<>();
        List<HostPort> wave = ordered;
        for (int i = 0; i < MAX_WAVES && !wave.isEmpty(); i++) {
            observed.putAll(readAll(wave, i == 0 ? fullRead : Set.of(), i == 0, takenAt));
            resolve(observed);
            wave = discovered(observed);
        }
        carryMetrics(observed, takenAt);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        ClusterSnapshot snapshot = SnapshotAssembler.assemble(last, Membership.members(seeds, observed.values()), takenAt, took);
        last = Optional.of(snapshot);
        return snapshot;
    }

    private List<HostPort> seeds() {
        List<HostPort> extra;
        try {
            extra = extraSeeds.get();
        } catch (RuntimeException e) {
            extra = List.of();
        }
        if (extra.isEmpty()) {
            return seeds;
        }
        Set<HostPort> all = new LinkedHashSet<>(seeds);
        all.addAll(extra);
        return List.copyOf(all);
    }

    private Map<HostPort, NodeObservation> readAll(List<HostPort> addresses, Set<HostPort> fullRead, boolean askShards,
                                                   Instant now) {
        Map<HostPort, Supplier<NodeObservation>> reads = new LinkedHashMap<>();
        // CLUSTER SHARDS describes the whole cluster: one node per poll, preferably one read in full anyway.
        HostPort shardsFrom = askShards ? addresses.stream().filter(fullRead::contains).findFirst().orElse(addresses.get(0)) : null;
        for (HostPort a : addresses) {
            boolean shards = a.equals(shardsFrom);
            boolean info = metricsDue(a, now);
            reads.put(a, fullRead.contains(a) ? () -> reader.full(a, shards, info) : () -> reader.cheap(a, shards, info));
        }
        return runAll(reads);
    }

    /** Gives each cheap read the view of a node with the same digest, reading one whole view per new digest. */
    private void resolve(Map<HostPort, NodeObservation> observed) {
        Map<String, List<NodeEntry>> views = new HashMap<>();
        for (int round = 0; round <= RESOLVE_ROUNDS; round++) {
            for (NodeObservation o : observed.values()) {
                if (!o.view().isEmpty() && o.ownLine().isEmpty()) {
                    o.viewDigest().ifPresent(d -> views.putIfAbsent(d, o.view()));
                }
            }
            Map<String, HostPort> representatives = new LinkedHashMap<>();
            for (NodeObservation o : List.copyOf(observed.values())) {
                if (!o.unresolved()) {
                    continue;
                }
                String digest = o.viewDigest().orElseThrow();
                List<NodeEntry> view = views.get(digest);
                if (view != null) {
                    observed.put(o.address(), o.withView(view));
                } else {
                    representatives.putIfAbsent(digest, o.address());
                }
            }
            if (representatives.isEmpty() || round == RESOLVE_ROUNDS) {
                return;
            }
            Map<HostPort, Supplier<NodeObservation>> reads = new LinkedHashMap<>();
            representatives.values().forEach(a -> reads.put(a, () -> reader.view(a)));
            runAll(reads).forEach((a, r) -> {
                if (r.reachable()) {
                    NodeObservation cheap = observed.get(a);
                    observed.put(a, cheap.withOwnView(r.view(), r.viewDigest().orElse("")));
                }
                // A node that answered cheaply but not with its view keeps its own line only; the next round
                // asks another node of the same digest.
            });
        }
    }

    private Map<HostPort, NodeObservation> runAll(Map<HostPort, Supplier<NodeObservation>> reads) {
        Map<HostPort, CompletableFuture<NodeObservation>> futures = new LinkedHashMap<>();
        Map<HostPort, NodeObservation> out = new LinkedHashMap<>();
        reads.forEach((a, read) -> {
            CompletableFuture<NodeObservation> previous = inFlight.get(a);
            if (previous != null && !previous.isDone()) {
                out.put(a, NodeObservation.failed(a, "still no answer to the previous poll (timeout " + timeout.toMillis() + "ms)"));
                return;
            }
            CompletableFuture<NodeObservation> f = CompletableFuture.supplyAsync(read, executor);
            inFlight.put(a, f);
            futures.put(a, f);
        });
        long deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_SLACK_MILLIS);
        futures.forEach((a, f) -> {
            long left = deadline - System.nanoTime();
            NodeObservation o;
            try {
                o = f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                o = NodeObservation.failed(a, "no answer within " + timeout.toMillis() + "ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                o = NodeObservation.failed(a, "poll interrupted");
            } catch (java.util.concurrent.ExecutionException e) {
                o = NodeObservation.failed(a, String.valueOf(e.getCause()));
            }
            out.put(a, o);
        });
        return out;
    }

    private boolean metricsDue(HostPort a, Instant now) {
        Instant at = lastInfoAt.get(a);
        if (at != null && metricsInterval.isZero()) {
            // No interval set: every poll up to METRICS_READS_PER_POLL nodes; beyond, each node every `every` polls,
            // in a phase of its own, so that each poll reads about the same number of INFOs (issue 12: at 1,000
            // nodes, an INFO of every node every second was most of the agent's allocation and of its GC).
            int every = (knownNodes + METRICS_READS_PER_POLL - 1) / METRICS_READS_PER_POLL;
            return every <= 1 || Math.floorMod(a.hashCode(), every) == Math.floorMod(polls, every);
        }
        // 90%: a schedule's jitter must not push a read due every poll to every second poll.
        return at == null
                || Duration.between(at, now).toMillis() >= metricsInterval.toMillis() * 9 / 10;
    }

    /** Remembers fresh INFO replies and gives nodes whose metrics were not due their last one. */
    private void carryMetrics(Map<HostPort, NodeObservation> observed, Instant now) {
        lastInfo.keySet().retainAll(observed.keySet());
        lastInfoAt.keySet().retainAll(observed.keySet());
        for (NodeObservation o : List.copyOf(observed.values())) {
            if (!o.reachable()) {
                lastInfo.remove(o.address());
                lastInfoAt.remove(o.address());
            } else if (o.info().isPresent()) {
                lastInfo.put(o.address(), o.info().get());
                lastInfoAt.put(o.address(), now);
            } else if (lastInfo.containsKey(o.address())) {
                observed.put(o.address(), o.withInfo(Optional.of(lastInfo.get(o.address()))));
            }
        }
    }

    /** Addresses mentioned by reachable nodes that this poll has not read yet; each shared view is walked once. */
    private static List<HostPort> discovered(Map<HostPort, NodeObservation> observed) {
        Set<HostPort> found = new LinkedHashSet<>();
        Set<List<NodeEntry>> walked = Collections.newSetFromMap(new IdentityHashMap<>());
        for (NodeObservation o : observed.values()) {
            if (walked.add(o.view())) {
                for (NodeEntry e : o.view()) {
                    e.address().filter(a -> !observed.containsKey(a)).ifPresent(found::add);
                }
            }
        }
        return new ArrayList<>(found);
    }
}
