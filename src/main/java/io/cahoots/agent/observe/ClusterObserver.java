package io.cahoots.agent.observe;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.Membership;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.NodeObservation;
import io.cahoots.agent.cluster.SnapshotAssembler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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

/**
 * Builds one {@link ClusterSnapshot} per call to {@link #poll()}.
 *
 * <ol>
 *   <li>Targets are the seed addresses plus every address the last snapshot knew.</li>
 *   <li>All targets are read in parallel, each bounded by the per-node timeout; a node whose previous
 *       read is still hanging (e.g. a {@code SIGSTOP}ped process) is not asked again, it is reported
 *       unreachable at once. So one hung node never delays the others beyond the timeout.</li>
 *   <li>Addresses that the views reveal and that were not read yet are read in a further wave (at most
 *       {@value #MAX_WAVES}), so a single seed is enough to see the whole cluster in the first poll.</li>
 *   <li>Nodes outside the cluster (a removed node still answering at its old address) are left out
 *       ({@link Membership}); the rest is merged by {@link SnapshotAssembler}. Addresses that no member
 *       mentions any more, and that are not seeds, drop from the targets.</li>
 * </ol>
 */
public final class ClusterObserver {

    static final int MAX_WAVES = 3;
    /** Slack over the per-node timeout for thread hand-off; the timeout itself is enforced by the socket. */
    private static final long DEADLINE_SLACK_MILLIS = 250;

    private final List<HostPort> seeds;
    private final BiFunction<HostPort, Boolean, NodeObservation> reader;
    private final Duration timeout;
    private final Clock clock;
    private final ExecutorService executor;
    private final Map<HostPort, CompletableFuture<NodeObservation>> inFlight = new ConcurrentHashMap<>();
    private volatile Optional<ClusterSnapshot> last = Optional.empty();

    /** @param reader reads one node; its boolean asks for {@code CLUSTER SHARDS} too (one node per poll) */
    public ClusterObserver(List<HostPort> seeds, BiFunction<HostPort, Boolean, NodeObservation> reader, Duration timeout,
                           Clock clock, ExecutorService executor) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("no seed nodes");
        }
        this.seeds = List.copyOf(seeds);
        this.reader = reader;
        this.timeout = timeout;
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

    public ClusterSnapshot poll() {
        long started = System.nanoTime();
        Instant takenAt = clock.instant();
        Set<HostPort> targets = new LinkedHashSet<>(seeds);
        last.ifPresent(s -> s.nodes().stream().map(ClusterNode::address).flatMap(Optional::stream).forEach(targets::add));

        Map<HostPort, NodeObservation> observed = new LinkedHashMap<>();
        List<HostPort> wave = new ArrayList<>(targets);
        for (int i = 0; i < MAX_WAVES && !wave.isEmpty(); i++) {
            observed.putAll(readAll(wave, i == 0));
            wave = discovered(observed);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        ClusterSnapshot snapshot = SnapshotAssembler.assemble(last, Membership.members(seeds, observed.values()), takenAt, took);
        last = Optional.of(snapshot);
        return snapshot;
    }

    private Map<HostPort, NodeObservation> readAll(List<HostPort> addresses, boolean askShards) {
        Map<HostPort, CompletableFuture<NodeObservation>> futures = new LinkedHashMap<>();
        Map<HostPort, NodeObservation> out = new LinkedHashMap<>();
        boolean shardsAsked = false;
        for (HostPort a : addresses) {
            CompletableFuture<NodeObservation> previous = inFlight.get(a);
            if (previous != null && !previous.isDone()) {
                out.put(a, NodeObservation.failed(a, "still no answer to the previous poll (timeout " + timeout.toMillis() + "ms)"));
                continue;
            }
            boolean withShards = askShards && !shardsAsked;
            shardsAsked |= withShards;
            CompletableFuture<NodeObservation> f = CompletableFuture.supplyAsync(() -> reader.apply(a, withShards), executor);
            inFlight.put(a, f);
            futures.put(a, f);
        }
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

    /** Addresses mentioned by reachable nodes that this poll has not read yet. */
    private static List<HostPort> discovered(Map<HostPort, NodeObservation> observed) {
        Set<HostPort> found = new LinkedHashSet<>();
        for (NodeObservation o : observed.values()) {
            for (NodeEntry e : o.view()) {
                e.address().filter(a -> !observed.containsKey(a)).ifPresent(found::add);
            }
        }
        return new ArrayList<>(found);
    }
}
