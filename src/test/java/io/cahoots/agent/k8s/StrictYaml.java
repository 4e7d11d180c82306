package io.cahoots.agent.k8s;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.beans.IntrospectionException;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Loads YAML into typed models so that a field Kubernetes would not know fails the test instead of being ignored.
 *
 * <ol>
 *   <li>A strict Jackson mapper: unknown properties, duplicate keys, nulls for primitives and wrong types fail.</li>
 *   <li>Fabric8's models keep unknown fields in {@code additionalProperties} (a catch-all, for forward
 *       compatibility) instead of failing, so after loading, every Fabric8 object in the graph is walked and a
 *       non-empty {@code additionalProperties} is reported with its path, e.g.
 *       {@code Deployment.spec.template.spec.containers[1].resources: unknown field(s) [limit]}.</li>
 * </ol>
 */
final class StrictYaml {

    static final ObjectMapper MAPPER = JsonMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final int MAX_DEPTH = 64;

    private StrictYaml() {
    }

    /** Every document of a multi-document YAML text, as trees (empty documents skipped). */
    static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (YAMLParser parser = ((YAMLFactory) MAPPER.getFactory()).createParser(yaml)) {
            for (var it = MAPPER.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    out.add(doc);
                }
            }
        } catch (RuntimeException e) {
            // e.g. a key given twice, which YAML parsers elsewhere resolve silently (the last one wins)
            throw new AssertionError("invalid YAML: " + e.getMessage(), e);
        }
        return out;
    }

    /** The tree as {@code type}, failing on any field the type does not have. */
    static <T> T load(JsonNode tree, Class<T> type, String where) {
        T value;
        try {
            value = MAPPER.treeToValue(tree, type);
        } catch (IOException e) {
            throw new AssertionError(where + ": not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        walk(value, where + " " + type.getSimpleName(), unknown, 0);
        if (!unknown.isEmpty()) {
            throw new AssertionError(String.join("\n", unknown));
        }
        return value;
    }

    private static void walk(Object o, String path, List<String> unknown, int depth) {
        if (o == null || depth > MAX_DEPTH) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", unknown, depth + 1);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "[" + k + "]", unknown, depth + 1));
            return;
        }
        Class<?> c = o.getClass();
        boolean model = c.getPackageName().startsWith("io.fabric8.") || c.isRecord();
        if (!model) {
            return;
        }
        try {
            for (PropertyDescriptor p : Introspector.getBeanInfo(c, Object.class).getPropertyDescriptors()) {
                if (p.getReadMethod() == null || p.getReadMethod().getParameterCount() != 0) {
                    continue;
                }
                Object v;
                try {
                    v = p.getReadMethod().invoke(o);
                } catch (InvocationTargetException e) {
                    // e.g. Quantity.getNumericalAmount() on "512MB": the value itself is invalid
                    unknown.add(path + "." + p.getName() + ": invalid value: " + e.getCause().getMessage());
                    continue;
                }
                if (p.getName().equals("additionalProperties")) {
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + ": unknown field(s) " + extra.keySet());
                    }
                    continue;
                }
                walk(v, path + "." + p.getName(), unknown, depth + 1);
            }
            if (c.isRecord()) {
                for (var rc : c.getRecordComponents()) {
                    walk(rc.getAccessor().invoke(o), path + "." + rc.getName(), unknown, depth + 1);
                }
            }
        } catch (IntrospectionException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot inspect " + c, e);
        }
    }
}
