package io.cahoots.agent.scaling.shard;

import java.util.Locale;

/** What can ask for one more shard. Each is read from the masters of one cluster snapshot ({@link ShardSample}). */
public enum ShardTrigger {
    /** The fullest master's {@code used_memory / maxmemory}, in percent: the first to evict or refuse writes. */
    MEMORY("memory", "%"),
    /** Operations per second per master (the cluster's total over the masters): load a new shard takes a share of. */
    OPS("ops/s per master", ""),
    /** The slowest command's average time per call on any master over the recent window, in milliseconds. */
    LATENCY("latency", "ms");

    private final String label;
    private final String unit;

    ShardTrigger(String label, String unit) {
        this.label = label;
        this.unit = unit;
    }

    public String label() {
        return label;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String format(double value) {
        String n = value != Math.rint(value) && Math.abs(value) < 10
                ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.0f", value);
        return n + unit;
    }
}
