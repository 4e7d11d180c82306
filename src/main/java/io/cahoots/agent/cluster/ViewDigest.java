package io.cahoots.agent.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A digest of one node's {@code CLUSTER NODES} view that two nodes share exactly when they agree about
 * every node: id, address, flags, master, config epoch, link state and slots. Computed here from the raw
 * reply and, identically, by the Lua script {@code view-digest.lua} inside Redis, so a node can prove its
 * view equals one the agent already holds while sending 100 bytes instead of a line per node.
 *
 * <ol>
 *   <li>Each line is reduced to {@code id addr flags master epoch link slots...}: the ping/pong times are
 *       dropped (they change every second), {@code myself} is dropped from the flags (so the observer's own
 *       line compares equal to its peers' line about it) and so are the {@code [slot->-id]} open-slot
 *       markers (they only ever appear on the observer's own line, which the script returns whole).</li>
 *   <li>Each reduced line is hashed with SHA-1 and the five 32-bit words of all lines are XORed: the result
 *       does not depend on line order (Redis lists nodes in hash-table order, different on every node), and
 *       no sort is needed (Lua's string order follows the server's locale, Java's does not). Lines never
 *       repeat (one per node id), so XOR cannot cancel two of them.</li>
 *   <li>The digest is the 40 lowercase hex digits of the five words.</li>
 * </ol>
 */
public final class ViewDigest {

    private ViewDigest() {
    }

    public static String of(String clusterNodes) {
        int[] acc = new int[5];
        MessageDigest sha1 = sha1();
        for (String line : clusterNodes.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            byte[] d = sha1.digest(reduce(line).getBytes(StandardCharsets.UTF_8));
            for (int w = 0; w < 5; w++) {
                acc[w] ^= ((d[4 * w] & 0xff) << 24) | ((d[4 * w + 1] & 0xff) << 16) | ((d[4 * w + 2] & 0xff) << 8) | (d[4 * w + 3] & 0xff);
            }
        }
        StringBuilder sb = new StringBuilder(40);
        for (int w : acc) {
            sb.append(String.format("%08x", w));
        }
        return sb.toString();
    }

    /** The line as the digest sees it; the Lua script builds the same string. */
    static String reduce(String line) {
        String[] t = line.trim().split("\\s+");
        StringBuilder sb = new StringBuilder(line.length());
        sb.append(at(t, 0)).append(' ').append(at(t, 1)).append(' ')
                .append(at(t, 2).replace("myself,", "").replace(",myself", "")).append(' ')
                .append(at(t, 3)).append(' ').append(at(t, 6)).append(' ').append(at(t, 7));
        for (int i = 8; i < t.length; i++) {
            if (!t[i].startsWith("[")) {
                sb.append(' ').append(t[i]);
            }
        }
        return sb.toString();
    }

    private static String at(String[] t, int i) {
        return i < t.length ? t[i] : "";
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }
}
