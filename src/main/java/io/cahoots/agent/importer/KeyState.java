package io.cahoots.agent.importer;

import java.util.Arrays;

/**
 * One key as read from one node for verification.
 *
 * @param type   as {@code TYPE} answers; {@code none} when the key does not exist
 * @param digest of the value: the {@code DUMP} payload, or a per-type canonical form when payloads differ
 * @param pttl   milliseconds left, -1 without expiry, -2 when absent
 */
public record KeyState(String type, byte[] digest, long pttl) {

    public static final KeyState ABSENT = new KeyState("none", null, -2);

    public boolean exists() {
        return !"none".equals(type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyState k && k.type.equals(type) && Arrays.equals(k.digest, digest) && k.pttl == pttl;
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(digest);
    }
}
