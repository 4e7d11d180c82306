package io.cahoots.agent.cluster;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** The parsed text of {@code INFO}: {@code key:value} lines, section headers and blanks skipped. */
public final class InfoReply {

    private final Map<String, String> fields;

    private InfoReply(Map<String, String> fields) {
        this.fields = fields;
    }

    public static InfoReply parse(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return new InfoReply(Collections.unmodifiableMap(fields));
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
