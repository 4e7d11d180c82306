package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.HostPort;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an import would move and whether the target can take it. Pure: the service feeds it every key's type and
 * size (from {@code SCAN}, {@code TYPE}, {@code MEMORY USAGE}) and each target master's memory figures.
 *
 * <ol>
 *   <li>Each key is routed to the master owning its slot; its bytes count against that master.</li>
 *   <li>A key cannot move when its type is not a core type (a module type the target may lack) or when its size
 *       exceeds the target's {@code proto-max-bulk-len} (its {@code RESTORE} payload would be refused).</li>
 *   <li>A master fits when it has no {@code maxmemory} or when {@code maxmemory - used} covers what it receives.</li>
 *   <li>The time estimate is the larger of keys / {@link #KEYS_PER_SECOND} and bytes / {@link #BYTES_PER_SECOND},
 *       rates measured by the benchmark in {@code bench/import.sh} on the 2-core build machine (a floor, not a promise).</li>
 * </ol>
 */
public final class DryRun {

    public static final Set<String> CORE_TYPES = Set.of("string", "hash", "list", "set", "zset", "stream");
    static final double KEYS_PER_SECOND = 100_000;
    static final double BYTES_PER_SECOND = 50e6;
    static final int EXAMPLES = 20;

    /** @param maxmemory 0 when unlimited */
    public record TargetMemory(long maxmemory, long used, long protoMaxBulkLen) {
    }

    /** @param headroomBytes null when the master has no maxmemory */
    public record Master(String address, long keys, long bytesNeeded, long maxmemoryBytes, long usedBytes,
                         Long headroomBytes, boolean fits) {
    }

    public record Unmovable(String key, String reason) {
    }

    public record Report(String source, long keys, long bytes, List<Master> masters, long unmovableKeys,
                         List<Unmovable> unmovableExamples, Map<String, Long> keysInOtherDatabases,
                         long targetKeysBefore, long estimatedSeconds, boolean fits, String verdict) {
    }

    private final SlotOwners owners;
    private final Map<HostPort, TargetMemory> memory;
    private final Map<HostPort, long[]> perMaster = new LinkedHashMap<>();
    private final List<Unmovable> examples = new ArrayList<>();
    private long keys;
    private long bytes;
    private long unmovable;

    public DryRun(SlotOwners owners, Map<HostPort, TargetMemory> memory) {
        this.owners = owners;
        this.memory = memory;
        owners.masters().forEach(m -> perMaster.put(m, new long[2]));
    }

    /** @return why the key cannot move, or null when it can */
    public String add(byte[] key, String type, long sizeBytes) {
        HostPort owner = owners.ownerOf(key);
        String reason = refusal(owner, type, sizeBytes);
        if (reason != null) {
            unmovable++;
            if (examples.size() < EXAMPLES) {
                examples.add(new Unmovable(new String(key, java.nio.charset.StandardCharsets.UTF_8), reason));
            }
            return reason;
        }
        keys++;
        bytes += sizeBytes;
        long[] m = perMaster.get(owner);
        m[0]++;
        m[1] += sizeBytes;
        return null;
    }

    private String refusal(HostPort owner, String type, long size) {
        if ("none".equals(type)) {
            return null; // gone since SCAN listed it: nothing to move, nothing refused
        }
        if (!CORE_TYPES.contains(type)) {
            return "type " + type + " is not a core type (a module's?)";
        }
        if (owner == null) {
            return "its slot has no owner in the target";
        }
        TargetMemory t = memory.get(owner);
        if (t != null && t.protoMaxBulkLen() > 0 && size > t.protoMaxBulkLen()) {
            return "size " + size + " B exceeds proto-max-bulk-len " + t.protoMaxBulkLen() + " of " + owner;
        }
        return null;
    }

    public Report report(String source, Map<String, Long> otherDatabases, long targetKeysBefore) {
        List<Master> masters = new ArrayList<>();
        boolean fits = true;
        for (Map.Entry<HostPort, long[]> e : perMaster.entrySet()) {
            TargetMemory t = memory.getOrDefault(e.getKey(), new TargetMemory(0, 0, 0));
            Long headroom = t.maxmemory() > 0 ? t.maxmemory() - t.used() : null;
            boolean ok = headroom == null || headroom >= e.getValue()[1];
            fits &= ok;
            masters.add(new Master(e.getKey().toString(), e.getValue()[0], e.getValue()[1], t.maxmemory(), t.used(),
                    headroom, ok));
        }
        long seconds = (long) Math.ceil(Math.max(keys / KEYS_PER_SECOND, bytes / BYTES_PER_SECOND));
        String verdict = fits ? "the target has room for " + keys + " keys (" + bytes + " B)"
                : "the target lacks room: " + masters.stream().filter(m -> !m.fits())
                .map(m -> m.address() + " needs " + m.bytesNeeded() + " B, has " + m.headroomBytes() + " B").toList();
        return new Report(source, keys, bytes, masters, unmovable, List.copyOf(examples), Map.copyOf(otherDatabases),
                targetKeysBefore, seconds, fits, verdict);
    }
}
