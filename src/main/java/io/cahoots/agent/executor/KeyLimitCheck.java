package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.SlotRange;
import io.cahoots.agent.planner.Move;
import io.cahoots.agent.planner.Plan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds, before anything moves, the keys of a plan that their target cannot take: bigger than its
 * {@code proto-max-bulk-len} (MIGRATE sends each key as one RESTORE bulk string, which the target refuses and
 * drops the connection) or than its free memory under {@code maxmemory}.
 *
 * <ol>
 *   <li>Per move, the target's limit is the smaller of the two ({@link ClusterCommands.Limits#largestKey()}).</li>
 *   <li>When the source's whole {@code used_memory} is within that limit no key of it can exceed it: nothing more
 *       is read. This is the usual case (512 MB bulk limit, ample memory), and costs one {@code INFO} per node.</li>
 *   <li>Otherwise the moving slots' keys are listed ({@code GETKEYSINSLOT}) and sized with pipelined
 *       {@code MEMORY USAGE} (Redis' default sampling, O(1) per key of any type) in pipelines of {@value #PIPELINE}.
 *       {@code MEMORY USAGE} is an upper bound of a value's serialized size for all but compressible strings, so
 *       the check errs towards refusing.</li>
 * </ol>
 */
public final class KeyLimitCheck {

    static final int PIPELINE = 1000;
    static final int SLOTS_PER_LISTING = 64;
    /** Keys named at most (the count is always exact). */
    static final int NAMED = 20;

    /** A key its move's target cannot take. */
    public record OversizedKey(String key, int slot, long bytes, String from, String to, long targetLimit) {
        public String describe() {
            return key + " (" + bytes + " bytes, slot " + slot + ", " + from + " -> " + to + " which takes at most " + targetLimit + ")";
        }
    }

    private final ClusterCommands redis;

    public KeyLimitCheck(ClusterCommands redis) {
        this.redis = redis;
    }

    public List<OversizedKey> find(ClusterSnapshot s, Plan plan) {
        Map<String, HostPort> addresses = new HashMap<>();
        for (ClusterNode m : s.masters()) {
            m.address().ifPresent(a -> addresses.put(m.id(), a));
        }
        Map<HostPort, ClusterCommands.Limits> limits = new HashMap<>();
        List<OversizedKey> out = new ArrayList<>();
        for (Move move : plan.moves()) {
            HostPort from = addresses.get(move.from());
            HostPort to = addresses.get(move.to());
            if (from == null || to == null) {
                continue; // the engine refuses such a move with its own message
            }
            long largest = limits.computeIfAbsent(to, redis::limits).largestKey();
            if (limits.computeIfAbsent(from, redis::limits).usedMemory() <= largest) {
                continue;
            }
            List<Integer> slots = new ArrayList<>();
            for (SlotRange r : move.slots()) {
                for (int slot = r.start(); slot <= r.end(); slot++) {
                    slots.add(slot);
                }
            }
            for (int i = 0; i < slots.size(); i += SLOTS_PER_LISTING) {
                List<Integer> part = slots.subList(i, Math.min(slots.size(), i + SLOTS_PER_LISTING));
                Map<Integer, Long> counts = redis.countKeysInSlots(from, part);
                int most = (int) Math.min(Integer.MAX_VALUE, counts.values().stream().mapToLong(Long::longValue).max().orElse(0));
                if (most == 0) {
                    continue;
                }
                List<byte[]> keys = new ArrayList<>();
                List<Integer> keySlots = new ArrayList<>();
                redis.keysInSlots(from, part, most).forEach((slot, k) -> k.forEach(key -> {
                    keys.add(key);
                    keySlots.add(slot);
                }));
                for (int j = 0; j < keys.size(); j += PIPELINE) {
                    List<byte[]> batch = keys.subList(j, Math.min(keys.size(), j + PIPELINE));
                    List<Long> sizes = redis.memoryUsage(from, batch);
                    for (int k = 0; k < batch.size(); k++) {
                        if (sizes.get(k) > largest) {
                            out.add(new OversizedKey(new String(batch.get(k), StandardCharsets.UTF_8), keySlots.get(j + k),
                                    sizes.get(k), from.toString(), to.toString(), largest));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The refusal of a plan with such keys: a 409 naming them. */
    public static OversizedKeysException refusal(List<OversizedKey> keys) {
        StringBuilder b = new StringBuilder(keys.size() + " key(s) are bigger than their target can take"
                + " (proto-max-bulk-len, or free memory under maxmemory); nothing was moved: ");
        keys.stream().limit(NAMED).forEach(k -> b.append(k.describe()).append("; "));
        if (keys.size() > NAMED) {
            b.append("...; ");
        }
        b.append("raise the target's limit, or keep their slots where they are (weights)");
        return new OversizedKeysException(b.toString(), keys);
    }

    /** Refused: some keys of the plan cannot move to their target. */
    public static final class OversizedKeysException extends RuntimeException {
        private final transient List<OversizedKey> keys;

        OversizedKeysException(String message, List<OversizedKey> keys) {
            super(message);
            this.keys = List.copyOf(keys);
        }

        public List<OversizedKey> keys() {
            return keys;
        }
    }
}
