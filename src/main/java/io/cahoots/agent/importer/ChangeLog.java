package io.cahoots.agent.importer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys changed on the source and not yet re-copied, each with the time it was first seen changing. Thread-safe
 * (one lock: the subscriber threads add, the copier drains); time is passed in, so the arithmetic is testable.
 *
 * <ol>
 *   <li>{@link #add}: a key already pending keeps its first-seen time (it will be copied once, with its latest value).</li>
 *   <li>{@link #drain}: removes up to n keys, oldest first. A key changed again after its drain is added again, so
 *       a write that lands after the copier read the value is never lost.</li>
 *   <li>{@link #lag}: pending keys and the age of the oldest one: how far the target is behind the source.</li>
 * </ol>
 * Also keeps the keys seen changing in the last {@code recentWindowNanos} (bounded by {@code recentMax}): after a
 * failover they are copied again from the new primary, since the old one may have acknowledged writes that the new
 * one never received -- the target must follow what the new primary holds.
 */
public final class ChangeLog {

    /** @param seconds age of the oldest pending change; 0 when nothing is pending */
    public record Lag(long keys, double seconds) {
        public boolean nearZero(long maxKeys, double maxSeconds) {
            return keys <= maxKeys && seconds <= maxSeconds;
        }
    }

    private final Map<ByteBuffer, Long> pending = new LinkedHashMap<>();
    private final LinkedHashMap<ByteBuffer, Long> recent = new LinkedHashMap<>();
    private final long recentWindowNanos;
    private final int recentMax;
    private long added;

    public ChangeLog(long recentWindowNanos, int recentMax) {
        this.recentWindowNanos = recentWindowNanos;
        this.recentMax = recentMax;
    }

    public synchronized void add(byte[] key, long nowNanos) {
        ByteBuffer k = ByteBuffer.wrap(key);
        pending.putIfAbsent(k, nowNanos);
        added++;
        recent.remove(k);
        recent.put(k, nowNanos);
        trimRecent(nowNanos);
    }

    public synchronized List<byte[]> drain(int max) {
        List<byte[]> out = new ArrayList<>(Math.min(max, pending.size()));
        Iterator<ByteBuffer> it = pending.keySet().iterator();
        while (it.hasNext() && out.size() < max) {
            out.add(it.next().array());
            it.remove();
        }
        return out;
    }

    public synchronized Lag lag(long nowNanos) {
        if (pending.isEmpty()) {
            return new Lag(0, 0);
        }
        long oldest = pending.values().iterator().next();
        return new Lag(pending.size(), Math.max(0, nowNanos - oldest) / 1e9);
    }

    /** Changes seen since the start (a key changed twice counts twice). */
    public synchronized long added() {
        return added;
    }

    /** Queues every recently changed key again (after a failover), returning how many. */
    public synchronized int requeueRecent(long nowNanos) {
        trimRecent(nowNanos);
        for (ByteBuffer k : recent.keySet()) {
            pending.putIfAbsent(k, nowNanos);
        }
        return recent.size();
    }

    private void trimRecent(long nowNanos) {
        Iterator<Map.Entry<ByteBuffer, Long>> it = recent.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ByteBuffer, Long> e = it.next();
            if (recent.size() > recentMax || nowNanos - e.getValue() > recentWindowNanos) {
                it.remove();
            } else {
                break; // insertion order is time order: the rest is younger
            }
        }
    }
}
