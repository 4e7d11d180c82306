package io.cahoots.agent.cluster;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** The parsed text of {@code INFO}: {@code key:value} lines, section headers and blanks skipped. */
public final class InfoReply {

    private final Map<String, String> fields;
    /** {@link NodeMetrics#fromInfo} of this reply, computed once: a reply carried across polls is not parsed again. */
    private volatile NodeMetrics metrics;

    private InfoReply(Map<String, String> fields) {
        this.fields = fields;
    }

    public static InfoReply parse(String text) {
        return parse(text, key -> true);
    }

    /**
     * The poll's {@code INFO} of every node, reduced to its {@link NodeMetrics}: only the fields the metrics read are
     * parsed (a full reply is ~150 fields, and at 1,000 nodes a poll that kept them all made ~300,000 short strings a
     * second), and once the metrics are computed the fields are dropped, since the observer keeps each node's last
     * reply for polls that skip its {@code INFO} and nothing reads them again (~5 KB a node; issue 12).
     * {@link #fields()} of such a reply is empty.
     */
    public static InfoReply forMetrics(String text) {
        NodeMetrics metrics = parse(text, NodeMetrics::reads).metrics();
        InfoReply lean = new InfoReply(Map.of());
        lean.metrics = metrics;
        return lean;
    }

    /** {@code key:value} lines whose key {@code keep} accepts; scanned in place, without a string per line. */
    static InfoReply parse(String text, java.util.function.Predicate<String> keep) {
        Map<String, String> fields = new LinkedHashMap<>();
        int at = 0;
        int length = text.length();
        while (at < length) {
            int eol = text.indexOf('\n', at);
            int end = eol < 0 ? length : eol;
            int from = at;
            int to = end;
            while (from < to && Character.isWhitespace(text.charAt(from))) {
                from++;
            }
            while (to > from && Character.isWhitespace(text.charAt(to - 1))) {
                to--;
            }
            if (from < to && text.charAt(from) != '#') {
                int colon = text.indexOf(':', from);
                if (colon > from && colon < to) {
                    String key = text.substring(from, colon);
                    if (keep.test(key)) {
                        fields.put(key, text.substring(colon + 1, to));
                    }
                }
            }
            at = end + 1;
        }
        return new InfoReply(Collections.unmodifiableMap(fields));
    }

    /** The node's metrics read from this reply (computed on first use, then shared). */
    public NodeMetrics metrics() {
        NodeMetrics m = metrics;
        if (m == null) {
            m = NodeMetrics.fromInfo(this);
            metrics = m;
        }
        return m;
    }

    public Map<String, String> fields() {
        return fields;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(fields.get(key));
    }

    public OptionalLong getLong(String key) {
        String v = fields.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public long getLong(String key, long fallback) {
        return getLong(key).orElse(fallback);
    }

    /** Splits a composite value such as {@code keys=10,expires=2,avg_ttl=0} into its parts. */
    public static Map<String, String> subFields(String value) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return out;
    }
}
