package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.executor.ClusterCommands.SlotState;
import io.cahoots.agent.planner.PlanningException;
import io.cahoots.agent.planner.RepairPlanner;
import io.cahoots.agent.redis.RedisException;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Repairs what the check reports: open slots and uncovered slots. Never deletes a key: keys only move,
 * with MIGRATE, to the node that will own their slot. It reads (views, key counts), asks the pure
 * {@link RepairPlanner} who owns what, then acts; the order of the repairs:
 *
 * <ol>
 *   <li>Stale views: a master whose own view names another owner than the one master claiming a slot is told the
 *       owner ({@code SETSLOT NODE}); until then it answers {@code CLUSTERDOWN} to every MIGRATE.</li>
 *   <li>Uncovered slots, before any open slot (while one is uncovered the cluster is down): each is given to the
 *       master holding most of its keys, else to the master with the fewest slots; every slot gets its owner
 *       before any key moves, then keys elsewhere are gathered there as in step 4.</li>
 *   <li>An open slot that is a move cut short (one master migrating to a second, which is importing from it,
 *       and the first still owns the slot) is finished forward, as the engine would.</li>
 *   <li>Any other open slot: its owner is the one master claiming it, or, when none or several do, the master
 *       holding most of its keys. Keys on every other master are moved to the owner (a non-owner is marked
 *       importing first, so that {@code ASKING MIGRATE} may read them), then the slot is made stable everywhere
 *       and given to the owner on every master.</li>
 *   <li>With an unreachable master the fix refuses ({@link #refusals}: its keys could be anywhere) unless told
 *       otherwise.</li>
 * </ol>
 */
public final class ClusterFixer {

    private static final Logger LOG = Logger.getLogger(ClusterFixer.class);

    private final ClusterCommands redis;
    private final MigrationTuning tuning;
    private final SlotMigrator migrator;

    public ClusterFixer(ClusterCommands redis, MigrationTuning tuning) {
        this.redis = redis;
        this.tuning = tuning;
        this.migrator = new SlotMigrator(redis, tuning);
    }

    /** What must hold before a fix; empty = may proceed. */
    public static List<String> refusals(ClusterSnapshot s, boolean allowUnreachable) {
        List<String> out = new ArrayList<>();
        if (!allowUnreachable) {
            for (ClusterNode m : s.masters()) {
                if (m.health() == Health.UNREACHABLE || m.health() == Health.FAIL || m.metrics().isEmpty()) {
                    out.add("master " + m.id() + " (" + m.addressText() + ") is " + m.health().wire()
                            + ": keys of open slots may be there; send \"allowUnreachable\": true to fix with the masters that answer");
                }
            }
        }
        return out;
    }

    /** @return one line per action taken */
    public List<String> fix(ClusterSnapshot s, boolean replace, Job job) {
        List<ClusterNode> masters = s.masters().stream()
                .filter(m -> m.address().isPresent() && m.metrics().isPresent()).toList();
        List<String> actions = new ArrayList<>();
        TreeSet<Integer> open = new TreeSet<>();
        s.check().openSlots().forEach(o -> open.add(o.slot()));
        BitSet uncovered = SlotRange.toBits(s.check().uncoveredSlots());
        job.plan(open.size() + uncovered.cardinality(), -1);

        // Stale views next: a node that still names a dead owner for some slots answers CLUSTERDOWN to every MIGRATE.
        actions.addAll(alignViews(masters));
        // Uncovered slots first: while one is, the cluster is down and every MIGRATE answers CLUSTERDOWN.
        if (!uncovered.isEmpty()) {
            actions.addAll(fixUncovered(masters, uncovered, replace, job));
        }
        for (int slot : open) {
            if (job.cancelRequested()) {
                throw new JobCancelledException("cancelled; " + actions.size() + " repairs done");
            }
            actions.add(fixOpenSlot(masters, slot, replace, job));
            job.slotsDone(1);
        }
        return actions;
    }

    /**
     * Tells each master the owner of every slot its own view gives to someone else than the one master that
     * claims the slot itself. Gossip normally does this, but Redis never rebinds a slot the node has importing
     * (only an operator may close an import), so the target of a move whose source died keeps naming the dead
     * source for it; the same was seen for other slots of that source. Such a node stays in
     * {@code cluster_state:fail} however long one waits, and every MIGRATE to or from it answers
     * {@code CLUSTERDOWN}. {@code SETSLOT NODE} of a slot the node does not own rebinds it and leaves its
     * import open, for {@link #fixOpenSlot} to finish with the keys. A slot the node claims itself is left
     * to the multi-owner repair.
     */
    private List<String> alignViews(List<ClusterNode> masters) {
        Map<String, List<NodeEntry>> views = new HashMap<>();
        for (ClusterNode m : masters) {
            views.put(m.id(), retry(() -> redis.clusterNodes(m.address().get())));
        }
        Map<String, ClusterNode> byId = new HashMap<>();
        masters.forEach(m -> byId.put(m.id(), m));
        List<String> actions = new ArrayList<>();
        RepairPlanner.staleViews(masters, views).forEach((id, rebind) -> {
            ClusterNode m = byId.get(id);
            rebind.forEach((owner, slots) -> {
                expectOk(retry(() -> redis.setSlots(m.address().get(), slots, SlotState.NODE, owner)), slots.get(0), m);
                String line = m.addressText() + " named a stale owner for slots " + SlotRange.fromBits(bitsOf(slots))
                        + ": told they are on " + owner;
                LOG.info(line);
                actions.add(line);
            });
        });
        return actions;
    }

    private String fixOpenSlot(List<ClusterNode> masters, int slot, boolean replace, Job job) {
        Optional<RepairPlanner.InterruptedMove> cut = RepairPlanner.interruptedMove(masters, slot);
        if (cut.isPresent()) {
            ClusterNode from = byId(masters, cut.get().fromId());
            ClusterNode to = byId(masters, cut.get().toId());
            long keys = migrator.moveChunk(pair(from, to, masters), List.of(slot), replace);
            job.keysMoved(keys);
            return "slot " + slot + ": finished the move " + from.addressText() + " -> " + to.addressText() + " (" + keys + " keys)";
        }
        Map<String, Long> keys = countKeys(masters, slot);
        ClusterNode owner = RepairPlanner.openSlotOwner(masters, slot, keys);
        long moved = gather(masters, owner, slot, keys, replace, owns(owner, slot));
        job.keysMoved(moved);
        settle(masters, owner, slot);
        return "slot " + slot + ": closed on " + owner.addressText() + " (" + owner.id() + ")"
                + (moved > 0 ? ", " + moved + " keys moved there" : "");
    }

    private List<String> fixUncovered(List<ClusterNode> masters, BitSet uncovered, boolean replace, Job job) {
        Map<Integer, Map<String, Long>> keysBySlot = new HashMap<>();
        for (int slot = uncovered.nextSetBit(0); slot >= 0; slot = uncovered.nextSetBit(slot + 1)) {
            keysBySlot.put(slot, countKeys(masters, slot));
        }
        Map<String, List<Integer>> assign;
        try {
            assign = RepairPlanner.uncoveredOwners(masters, uncovered, keysBySlot);
        } catch (PlanningException e) {
            throw new MigrationException(e.getMessage());
        }
        List<String> actions = new ArrayList<>();
        // Every slot gets its owner before any key moves, so that the cluster serves again meanwhile.
        assign.forEach((owner, slots) -> claim(byId(masters, owner), slots, masters));
        assign.forEach((ownerId, slots) -> {
            ClusterNode owner = byId(masters, ownerId);
            long moved = 0;
            for (int slot : slots) {
                moved += gather(masters, owner, slot, keysBySlot.get(slot), replace, true);
            }
            job.keysMoved(moved);
            job.slotsDone(slots.size());
            actions.add("uncovered slots " + SlotRange.fromBits(bitsOf(slots)) + " given to " + owner.addressText()
                    + (moved > 0 ? ", " + moved + " keys moved there" : ""));
        });
        return actions;
    }

    /**
     * Gives uncovered slots to {@code owner}. {@code ADDSLOTS} is refused ("already busy") by a node whose
     * own view still names an owner that no longer claims the slot, as a crash between two SETSLOTs can
     * leave it; then the slot is set on the owner directly and its epoch bumped, so that its claim wins
     * everywhere, and every other master is told.
     */
    private void claim(ClusterNode owner, List<Integer> slots, List<ClusterNode> masters) {
        try {
            retry(() -> {
                redis.addSlots(owner.address().get(), slots);
                return null;
            });
            return;
        } catch (RedisException.CommandFailed e) {
            if (!e.getMessage().contains("busy")) {
                throw e;
            }
            LOG.infof("ADDSLOTS on %s refused (%s): setting the slots and bumping its epoch", owner.addressText(), e.getMessage());
        }
        expectOk(retry(() -> redis.setSlots(owner.address().get(), slots, SlotState.NODE, owner.id())), slots.get(0), owner);
        retry(() -> {
            redis.bumpEpoch(owner.address().get());
            return null;
        });
        for (ClusterNode m : masters) {
            if (!m.id().equals(owner.id())) {
                try {
                    redis.setSlots(m.address().get(), slots, SlotState.NODE, owner.id());
                } catch (RedisException e) {
                    LOG.warnf("could not tell %s about %d slot(s) on %s (gossip will): %s", m.addressText(), slots.size(),
                            owner.addressText(), e.getMessage());
                }
            }
        }
    }

    /** Moves every key of {@code slot} held by another master onto {@code owner}; returns keys moved. */
    private long gather(List<ClusterNode> masters, ClusterNode owner, int slot, Map<String, Long> keys, boolean replace,
                        boolean ownerOwns) {
        long moved = 0;
        for (ClusterNode m : masters) {
            if (m.id().equals(owner.id()) || keys.getOrDefault(m.id(), 0L) == 0) {
                continue;
            }
            HostPort from = m.address().get();
            // A node may only hand out keys of a slot it does not own when it has the slot importing.
            if (!owns(m, slot) && !m.importing().containsKey(slot)) {
                expectOk(redis.setSlots(from, List.of(slot), SlotState.IMPORTING, owner.id()), slot, m);
            }
            if (owns(m, slot) && !m.migrating().containsKey(slot)) {
                expectOk(redis.setSlots(from, List.of(slot), SlotState.MIGRATING, owner.id()), slot, m);
            }
            if (!ownerOwns && !owner.importing().containsKey(slot)) {
                expectOk(redis.setSlots(owner.address().get(), List.of(slot), SlotState.IMPORTING, m.id()), slot, owner);
            }
            moved += migrator.evacuate(m.id(), from, owner.address().get(), slot, !owns(m, slot), replace);
        }
        return moved;
    }

    /** Stable everywhere, then owned by {@code owner} on the owner first and every other master after. */
    private void settle(List<ClusterNode> masters, ClusterNode owner, int slot) {
        for (ClusterNode m : masters) {
            if (m.migrating().containsKey(slot) || m.importing().containsKey(slot) || m.id().equals(owner.id())) {
                expectOk(retry(() -> redis.setSlots(m.address().get(), List.of(slot), SlotState.STABLE, null)), slot, m);
            }
        }
        expectOk(retry(() -> redis.setSlots(owner.address().get(), List.of(slot), SlotState.NODE, owner.id())), slot, owner);
        for (ClusterNode m : masters) {
            if (!m.id().equals(owner.id())) {
                try {
                    redis.setSlots(m.address().get(), List.of(slot), SlotState.NODE, owner.id())
                            .forEach(e -> e.ifPresent(err -> LOG.warnf("slot %d on %s: %s", slot, m.addressText(), err)));
                } catch (RedisException e) {
                    LOG.warnf("could not tell %s that slot %d is on %s (gossip will): %s", m.addressText(), slot,
                            owner.addressText(), e.getMessage());
                }
            }
        }
    }

    private Map<String, Long> countKeys(List<ClusterNode> masters, int slot) {
        Map<String, Long> out = new HashMap<>();
        for (ClusterNode m : masters) {
            out.put(m.id(), retry(() -> redis.countKeysInSlots(m.address().get(), List.of(slot))).getOrDefault(slot, 0L));
        }
        return out;
    }

    private static ClusterNode byId(List<ClusterNode> masters, String id) {
        return masters.stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
    }

    private static boolean owns(ClusterNode m, int slot) {
        return RepairPlanner.owns(m, slot);
    }

    private static SlotMigrator.Pair pair(ClusterNode from, ClusterNode to, List<ClusterNode> masters) {
        List<HostPort> others = masters.stream().filter(m -> !m.id().equals(from.id()) && !m.id().equals(to.id()))
                .map(m -> m.address().get()).toList();
        return new SlotMigrator.Pair(from.id(), from.address().get(), to.id(), to.address().get(), others);
    }

    private static BitSet bitsOf(List<Integer> slots) {
        BitSet b = new BitSet();
        slots.forEach(b::set);
        return b;
    }

    private void expectOk(List<Optional<String>> errors, int slot, ClusterNode node) {
        for (Optional<String> e : errors) {
            if (e.isPresent()) {
                throw new MigrationException("slot " + slot + " on " + node.addressText() + " (" + node.id() + "): " + e.get());
            }
        }
    }

    private <T> T retry(java.util.function.Supplier<T> step) {
        return Retry.call(tuning.attempts(), tuning.stepDeadline(), step);
    }
}
