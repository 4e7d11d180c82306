package io.cahoots.agent.caching;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.PolicySettings;
import io.cahoots.agent.caching.PolicyRedis.MemoryState;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pure comparison of each data node's memory limits with the settings, and the changes that would correct them.
 * No I/O, no clock: the same observations always give the same answer.
 *
 * <p>{@link #plan} for one node:
 * <ol>
 *   <li>A node whose limits could not be read gets no change: nothing is known to correct.</li>
 *   <li>{@code maxmemory-policy} first, so that when a new limit takes effect the expected eviction policy
 *       already applies.</li>
 *   <li>{@code maxmemory} next, unless the node already uses more than the new limit: Redis would start evicting
 *       (or, under {@code noeviction}, refuse writes) at once. That change is planned as refused, with the reason,
 *       and left to a person.</li>
 * </ol>
 */
public final class MemoryDrift {

    public static final String MAXMEMORY = "maxmemory";
    public static final String MAXMEMORY_POLICY = "maxmemory-policy";

    private MemoryDrift() {
    }

    /** What every data node should have. */
    public record Target(long maxmemoryBytes, String maxmemoryPolicy) {

        public static Target of(PolicySettings s) {
            return new Target(s.maxmemoryBytes(), s.maxmemoryPolicy());
        }
    }

    /** @param drifted the settings that differ, {@link #MAXMEMORY_POLICY} before {@link #MAXMEMORY} */
    public record NodeCheck(NodeMemory node, List<String> drifted) {

        public NodeCheck {
            drifted = List.copyOf(drifted);
        }

        public boolean readable() {
            return node.state().isPresent();
        }

        public boolean ok() {
            return readable() && drifted.isEmpty();
        }
    }

    /**
     * One {@code CONFIG SET} to make, or one refused.
     *
     * @param from    the node's value, as Redis takes it ({@code maxmemory} in bytes)
     * @param refused why it must not be made, when it must not
     */
    public record Change(HostPort node, String setting, String from, String to, Optional<String> refused) {
    }

    public static NodeCheck check(NodeMemory node, Target target) {
        List<String> drifted = new ArrayList<>(2);
        node.state().ifPresent(s -> {
            if (!s.maxmemoryPolicy().equalsIgnoreCase(target.maxmemoryPolicy())) {
                drifted.add(MAXMEMORY_POLICY);
            }
            if (s.maxmemoryBytes() != target.maxmemoryBytes()) {
                drifted.add(MAXMEMORY);
            }
        });
        return new NodeCheck(node, drifted);
    }

    public static List<NodeCheck> checkAll(List<NodeMemory> nodes, Target target) {
        return nodes.stream().map(n -> check(n, target)).toList();
    }

    public static List<Change> plan(NodeCheck check, Target target) {
        if (!check.readable()) {
            return List.of();
        }
        MemoryState s = check.node().state().get();
        HostPort node = check.node().address();
        List<Change> out = new ArrayList<>(2);
        if (check.drifted().contains(MAXMEMORY_POLICY)) {
            out.add(new Change(node, MAXMEMORY_POLICY, s.maxmemoryPolicy(), target.maxmemoryPolicy(), Optional.empty()));
        }
        if (check.drifted().contains(MAXMEMORY)) {
            Optional<String> refused = target.maxmemoryBytes() > 0 && s.usedMemoryBytes() > target.maxmemoryBytes()
                    ? Optional.of("used_memory " + PolicySettings.formatMemory(s.usedMemoryBytes()) + " (" + s.usedMemoryBytes()
                    + " bytes) is above the new limit: Redis would evict or refuse writes at once; lower it by hand when"
                    + " that is intended")
                    : Optional.empty();
            out.add(new Change(node, MAXMEMORY, Long.toString(s.maxmemoryBytes()), Long.toString(target.maxmemoryBytes()),
                    refused));
        }
        return out;
    }
}
