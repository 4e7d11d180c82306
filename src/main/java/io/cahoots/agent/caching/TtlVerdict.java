package io.cahoots.agent.caching;

/** What one key's {@code TTL} reply means for a pattern's limit. Pure. */
public enum TtlVerdict {
    /** Expires within the pattern's TTL. */
    WITHIN,
    /** {@code TTL} -1: the key never expires. */
    NO_TTL,
    /** Expires later than the pattern allows. */
    BEYOND,
    /** {@code TTL} -2: the key expired or was deleted between SCAN and TTL. */
    GONE;

    public static TtlVerdict of(long ttlReply, long limitSeconds) {
        if (ttlReply == -2) {
            return GONE;
        }
        if (ttlReply == -1) {
            return NO_TTL;
        }
        return ttlReply > limitSeconds ? BEYOND : WITHIN;
    }

    public boolean violation() {
        return this == NO_TTL || this == BEYOND;
    }
}
