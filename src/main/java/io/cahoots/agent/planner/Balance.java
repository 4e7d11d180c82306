package io.cahoots.agent.planner;

import java.util.Locale;

/**
 * What a rebalance makes equal per weighted master: slot counts (the default, as {@code redis-cli}), measured keys
 * ({@code COUNTKEYSINSLOT}), or estimated bytes (keys x sampled {@code MEMORY USAGE} per slot).
 */
public enum Balance {
    SLOTS, KEYS, MEMORY;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Balance parse(String text) {
        for (Balance b : values()) {
            if (b.wire().equals(text)) {
                return b;
            }
        }
        throw new IllegalArgumentException("balance must be \"slots\", \"keys\" or \"memory\", not \"" + text + "\"");
    }
}
