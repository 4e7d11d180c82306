package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.planner.Balance;
import io.cahoots.agent.planner.Move;
import io.cahoots.agent.planner.Plan;
import io.cahoots.agent.planner.RebalanceOptions;
import io.cahoots.agent.planner.RebalancePlanner;
import io.cahoots.agent.planner.SlotSizes;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Rebalancing as the API offers it.
 *
 * <ol>
 *   <li>Preview: poll the cluster now, refuse unless {@link Preflight} passes, count the keys of every
 *       slot ({@code COUNTKEYSINSLOT}, one pipeline per master) -- for a memory balance also sample
 *       {@link #SAMPLES_PER_SLOT} keys' {@code MEMORY USAGE} per slot ({@link SlotSizeReader}), the masters in
 *       parallel -- plan, and name the keys their target cannot take ({@link KeyLimitCheck}): the dry run shows
 *       them, a start is refused (409) while there are any.</li>
 *   <li>Start: the same preview (refused as stale when the caller names a topology version that is no
 *       longer current), then a job that checks the version once more, executes the plan with the
 *       {@link MigrationEngine} and polls again so every reader sees the result at once.</li>
 * </ol>
 */
@ApplicationScoped
public class RebalanceService {

    /** A plan, the snapshot it was made from, and the keys of it that their target cannot take ({@link KeyLimitCheck}). */
    public record Preview(ClusterSnapshot snapshot, Plan plan, List<KeyLimitCheck.OversizedKey> oversizedKeys) {
    }

    static final java.time.Duration SETTLE = java.time.Duration.ofSeconds(5);
    /** Keys sampled per slot for a memory balance: 4 x 16,384 {@code MEMORY USAGE}s at most, whatever the key count. */
    static final int SAMPLES_PER_SLOT = 4;

    private final ClusterWatch watch;
    private final JobManager jobs;
    private final ClusterCommands redis;
    private final MigrationEngine engine;
    private final SlotSizeReader sizes;

    public RebalanceService(ClusterWatch watch, JobManager jobs, ClusterCommands redis, MigrationEngine engine,
                            SlotSizeReader sizes) {
        this.sizes = sizes;
        this.watch = watch;
        this.jobs = jobs;
        this.redis = redis;
        this.engine = engine;
    }

    public Preview preview(RebalanceOptions options) {
        // While a job runs its slots are open; say so rather than let the preflight complain about them.
        jobs.requireIdle();
        ClusterSnapshot snapshot = settled();
        Preflight.require(snapshot);
        SlotSizes measured = options.balance() == Balance.MEMORY ? measure(snapshot) : SlotSizes.keysOnly(keysPerSlot(snapshot));
        Plan plan = RebalancePlanner.plan(snapshot, options, measured);
        return new Preview(snapshot, plan, new KeyLimitCheck(redis).find(snapshot, plan));
    }

    public Job start(RebalanceOptions options, boolean replace, OptionalLong expectedVersion) {
        Preview preview = preview(options);
        if (expectedVersion.isPresent() && expectedVersion.getAsLong() != preview.snapshot().version()) {
            throw new StalePlanException(expectedVersion.getAsLong(), preview.snapshot().version());
        }
        Plan plan = preview.plan();
        if (!preview.oversizedKeys().isEmpty()) {
            throw KeyLimitCheck.refusal(preview.oversizedKeys());
        }
        String description = plan.needed()
                ? "rebalance (" + plan.balance().wire() + ") " + plan.slotsToMove() + " slots in " + plan.moves().size() + " moves (~" + plan.keysToMove() + " keys)"
                : "rebalance: nothing to do (" + plan.reason() + ")";
        return jobs.start("rebalance", description, job -> {
            job.plan(plan.slotsToMove(), plan.keysToMove());
            job.result(plan);
            execute(plan, replace, job);
        });
    }

    /** Runs a plan inside a job; also used by the jobs that drain or fill nodes. */
    public void execute(Plan plan, boolean replace, Job job) {
        if (plan.moves().isEmpty()) {
            return;
        }
        ClusterSnapshot now = settled();
        if (now.version() != plan.snapshotVersion()) {
            throw new StalePlanException(plan.snapshotVersion(), now.version());
        }
        Preflight.require(now);
        // Again inside the job: the drain of a node plans here, and keys may have grown since the preview.
        List<KeyLimitCheck.OversizedKey> oversized = new KeyLimitCheck(redis).find(now, plan);
        if (!oversized.isEmpty()) {
            throw KeyLimitCheck.refusal(oversized);
        }
        try {
            engine.execute(now, plan, replace, job);
        } finally {
            watch.refresh();
        }
    }

    /**
     * A fresh snapshot, polled again for up to {@link #SETTLE} while replicas still disagree: right after a
     * job they learn the last slot changes by gossip, and that alone should not refuse the next request.
     */
    ClusterSnapshot settled() {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        ClusterSnapshot s = watch.refresh();
        while ((!s.check().agree() || !"ok".equals(s.state())) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            s = watch.refresh();
        }
        return s;
    }

    /** Keys and sampled bytes of every slot, the masters in parallel. */
    SlotSizes measure(ClusterSnapshot snapshot) {
        long[] keys = new long[SlotRange.SLOT_COUNT];
        long[] bytes = new long[SlotRange.SLOT_COUNT];
        snapshot.masters().parallelStream().filter(m -> m.slotCount() > 0 && m.address().isPresent()).forEach(m ->
                sizes.measure(m.address().get(), slotsOf(m), SAMPLES_PER_SLOT).forEach((slot, size) -> {
                    keys[slot] = size.keys();
                    bytes[slot] = size.bytes();
                }));
        return new SlotSizes(keys, Optional.of(bytes));
    }

    private static List<Integer> slotsOf(ClusterNode m) {
        List<Integer> slots = new ArrayList<>(m.slotCount());
        m.slots().forEach(r -> {
            for (int s = r.start(); s <= r.end(); s++) {
                slots.add(s);
            }
        });
        return slots;
    }

    long[] keysPerSlot(ClusterSnapshot snapshot) {
        long[] keys = new long[SlotRange.SLOT_COUNT];
        snapshot.masters().parallelStream().filter(m -> m.slotCount() > 0 && m.address().isPresent()).forEach(m -> {
            List<Integer> slots = new ArrayList<>(m.slotCount());
            m.slots().forEach(r -> {
                for (int s = r.start(); s <= r.end(); s++) {
                    slots.add(s);
                }
            });
            for (Map.Entry<Integer, Long> e : redis.countKeysInSlots(m.address().get(), slots).entrySet()) {
                keys[e.getKey()] = e.getValue();
            }
        });
        return keys;
    }


}
