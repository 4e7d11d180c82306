package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.lifecycle.Background;
import io.cahoots.agent.planner.Move;
import io.cahoots.agent.planner.Plan;
import org.jboss.logging.MDC;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Executes a {@link Plan}.
 *
 * <ol>
 *   <li>Moves are started in plan order, up to {@code parallelism} at once. A node is the source of at most one
 *       running move and is never source and target at once ({@link Nodes}). Without a latency budget one target
 *       may receive from several sources, so a rebalance onto a new master (three sources, one target) runs its
 *       moves together. With a budget a target receives one move at a time: its event loop restores one batch
 *       after the other, and each source's {@code MIGRATE} holds that source until its own batch is restored, so
 *       fanning in multiplies the very blocking the budget bounds (measured: client p99 3.6x redis-cli's with three
 *       sources into one target under a 1 ms budget, {@code bench/client-latency.sh}, issue 16).</li>
 *   <li>Each move goes chunk by chunk ({@link SlotMigrator}); between chunks it stops if the job was
 *       cancelled or another move failed, so a stop always leaves every slot closed and owned.</li>
 *   <li>The first failure stops new moves, lets running ones finish their chunk, and is rethrown.</li>
 *   <li>Each move paces itself ({@link Pace}): with a latency budget its rounds grow while the latency its
 *       {@link LatencyProbe} sees on the source and target stays under it, and shrink when it does not
 *       ({@link BatchController}); its readings go to the job's progress.</li>
 * </ol>
 */
public final class MigrationEngine {

    private final ClusterCommands redis;
    private final SlotMigrator migrator;
    private final MigrationTuning tuning;

    public MigrationEngine(ClusterCommands redis, MigrationTuning tuning) {
        this.redis = redis;
        this.migrator = new SlotMigrator(redis, tuning);
        this.tuning = tuning;
    }

    public MigrationTuning tuning() {
        return tuning;
    }

    public void execute(ClusterSnapshot snapshot, Plan plan, boolean replace, Job job) {
        Map<String, HostPort> masters = snapshot.masters().stream()
                .filter(m -> m.address().isPresent())
                .collect(Collectors.toMap(ClusterNode::id, m -> m.address().get()));
        LinkedList<Move> pending = new LinkedList<>(plan.moves());
        Nodes nodes = new Nodes(tuning.maxLatency().isZero());
        AtomicBoolean stop = new AtomicBoolean();
        Object mdc = MDC.get("job");
        ExecutorService pool = Background.pool("migration", tuning.parallelism());
        ExecutorCompletionService<Move> done = new ExecutorCompletionService<>(pool);
        int running = 0;
        RuntimeException failure = null;
        try {
            while (!pending.isEmpty() || running > 0) {
                if (failure == null && !job.cancelRequested()) {
                    for (var it = pending.iterator(); it.hasNext() && running < tuning.parallelism(); ) {
                        Move m = it.next();
                        if (!nodes.free(m)) {
                            continue;
                        }
                        it.remove();
                        nodes.start(m);
                        running++;
                        done.submit(() -> {
                            // The move's log lines carry the job, as the job's own thread's do.
                            if (mdc != null) {
                                MDC.put("job", mdc);
                            }
                            runMove(m, masters, replace, job, stop);
                            return m;
                        });
                    }
                } else if (running == 0) {
                    break;
                }
                Future<Move> f = done.take();
                running--;
                try {
                    Move m = f.get();
                    nodes.finish(m);
                } catch (ExecutionException e) {
                    stop.set(true);
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException re ? re : new MigrationException(e.getCause().toString(), e.getCause());
                    }
                    // Its nodes stay taken: nothing else starts after a failure anyway.
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.set(true);
            throw new JobCancelledException("interrupted");
        } finally {
            pool.shutdownNow();
        }
        if (failure != null) {
            throw failure;
        }
        if (job.cancelRequested()) {
            JobProgress p = job.progress();
            throw new JobCancelledException("cancelled after " + p.slotsDone() + " of " + p.slotsTotal()
                    + " slots; every slot is closed and owned");
        }
    }

    /** Which masters running moves hold: as the source of one move, or as the target of one (or, with fan-in, more). */
    static final class Nodes {
        private final boolean fanIn;
        private final Set<String> sources = new HashSet<>();
        private final Map<String, Integer> targets = new HashMap<>();

        /** @param fanIn may a target receive from several sources at once */
        Nodes(boolean fanIn) {
            this.fanIn = fanIn;
        }

        /**
         * May {@code m} start now: its source takes part in no running move, its target is no running move's source
         * (nor, without fan-in, any running move's target).
         */
        boolean free(Move m) {
            return !sources.contains(m.from()) && !targets.containsKey(m.from()) && !sources.contains(m.to())
                    && (fanIn || !targets.containsKey(m.to()));
        }

        void start(Move m) {
            sources.add(m.from());
            targets.merge(m.to(), 1, Integer::sum);
        }

        void finish(Move m) {
            sources.remove(m.from());
            targets.computeIfPresent(m.to(), (k, n) -> n == 1 ? null : n - 1);
        }
    }

    private void runMove(Move move, Map<String, HostPort> masters, boolean replace, Job job, AtomicBoolean stop) {
        HostPort from = require(masters, move.from());
        HostPort to = require(masters, move.to());
        List<HostPort> others = masters.entrySet().stream()
                .filter(e -> !e.getKey().equals(move.from()) && !e.getKey().equals(move.to()))
                .map(Map.Entry::getValue).toList();
        SlotMigrator.Pair pair = new SlotMigrator.Pair(move.from(), from, move.to(), to, others);
        List<Integer> slots = new ArrayList<>(move.slotCount());
        for (SlotRange r : move.slots()) {
            for (int s = r.start(); s <= r.end(); s++) {
                slots.add(s);
            }
        }
        String name = move.from() + "->" + move.to();
        try (Pace pace = Pace.of(redis, tuning, from, to, r -> job.migrationReading(name, r.batchKeys(), r.observedNanos(),
                r.budgetNanos(), r.keysPerSecond()))) {
            for (int i = 0; i < slots.size(); i += tuning.slotsPerChunk()) {
                if (stop.get() || job.cancelRequested()) {
                    return;
                }
                List<Integer> chunk = slots.subList(i, Math.min(slots.size(), i + tuning.slotsPerChunk()));
                long keys = migrator.moveChunk(pair, chunk, replace, pace);
                job.keysMoved(keys);
                job.slotsDone(chunk.size());
            }
        } finally {
            job.migrationEnded(name);
        }
    }

    private static HostPort require(Map<String, HostPort> masters, String id) {
        HostPort a = masters.get(id);
        if (a == null) {
            throw new MigrationException("master " + id + " is not in the snapshot any more");
        }
        return a;
    }
}
