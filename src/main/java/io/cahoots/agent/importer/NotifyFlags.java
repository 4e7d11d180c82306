package io.cahoots.agent.importer;

/**
 * The {@code notify-keyspace-events} value an import needs, merged with what the node had. Pure.
 * The import needs {@code K} (keyspace channel: the key is in the channel name) and every event class ({@code A}:
 * generic, string, list, set, hash, zset, expired, evicted, stream, module); flags the node already had are kept, so
 * whoever relied on them still gets their events during the import.
 */
public final class NotifyFlags {

    private static final String ALL_CLASSES = "g$lshzxetd";

    private NotifyFlags() {
    }

    public static String merged(String current) {
        String c = current == null ? "" : current;
        StringBuilder out = new StringBuilder(c);
        if (c.indexOf('K') < 0) {
            out.append('K');
        }
        boolean all = c.indexOf('A') >= 0 || ALL_CLASSES.chars().allMatch(ch -> c.indexOf(ch) >= 0);
        if (!all) {
            out.append('A');
        }
        return out.toString();
    }

    /** True when {@code current} already gives the import every event it needs. */
    public static boolean sufficient(String current) {
        return merged(current).equals(current == null ? "" : current);
    }
}
