package io.cahoots.agent.topology;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Names what changed between two published contents. Pure. The most important change wins:
 * <ol>
 *   <li>{@value #FAILOVER}: a Sentinel master moved, or slots passed from a master to one of its own replicas;</li>
 *   <li>{@value #SLOTS_MOVED}: slots changed owner otherwise (a rebalance, a drain, a repair);</li>
 *   <li>{@value #NODE_ADDED} / {@value #NODE_REMOVED}: an address appeared in or left the view;</li>
 *   <li>{@value #REPLICAS_CHANGED}: anything else (a replica followed another master, went offline and back).</li>
 * </ol>
 * The first view of a process is {@value #INITIAL}. {@value #CLUSTER_ENABLED} is never derived from a difference: an
 * import's cutover announces it ({@link TopologyHub#announceClusterEnabled}).
 */
public final class Causes {

    public static final String INITIAL = "initial";
    public static final String FAILOVER = "failover";
    public static final String SLOTS_MOVED = "slots-moved";
    public static final String NODE_ADDED = "node-added";
    public static final String NODE_REMOVED = "node-removed";
    public static final String REPLICAS_CHANGED = "replicas-changed";
    public static final String CLUSTER_ENABLED = "cluster-enabled";

    private static final int SLOTS = 16384;

    private Causes() {
    }

    public static String between(TopologyView.Content before, TopologyView.Content after) {
        if (before == null) {
            return INITIAL;
        }
        for (Map.Entry<String, TopologyView.Group> e : after.masters().entrySet()) {
            TopologyView.Group old = before.masters().get(e.getKey());
            if (old != null && !old.master().equals(e.getValue().master())) {
                return FAILOVER;
            }
        }
        if (!before.shards().equals(after.shards())) {
            String[] was = owners(before.shards());
            String[] now = owners(after.shards());
            boolean moved = false;
            for (int slot = 0; slot < SLOTS; slot++) {
                if (!Objects.equals(was[slot], now[slot])) {
                    if (was[slot] != null && now[slot] != null && replicasOf(before.shards(), was[slot]).contains(now[slot])) {
                        return FAILOVER;
                    }
                    moved = true;
                }
            }
            if (moved) {
                return SLOTS_MOVED;
            }
        }
        Set<String> was = addresses(before);
        Set<String> now = addresses(after);
        if (!was.containsAll(now)) {
            return NODE_ADDED;
        }
        if (!now.containsAll(was)) {
            return NODE_REMOVED;
        }
        return REPLICAS_CHANGED;
    }

    private static String[] owners(List<TopologyView.Shard> shards) {
        String[] owner = new String[SLOTS];
        for (TopologyView.Shard s : shards) {
            for (List<Integer> r : s.slots()) {
                for (int slot = r.get(0); slot <= r.get(1); slot++) {
                    owner[slot] = s.master();
                }
            }
        }
        return owner;
    }

    private static List<String> replicasOf(List<TopologyView.Shard> shards, String master) {
        return shards.stream().filter(s -> s.master().equals(master)).findFirst()
                .map(TopologyView.Shard::replicas).orElse(List.of());
    }

    private static Set<String> addresses(TopologyView.Content c) {
        Set<String> out = new HashSet<>();
        c.shards().forEach(s -> {
            out.add(s.master());
            out.addAll(s.replicas());
        });
        c.masters().values().forEach(g -> {
            out.add(g.master());
            out.addAll(g.replicas());
        });
        return out;
    }
}
