package io.cahoots.agent.k8s;

import io.cahoots.agent.config.Settings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The agent's settings as its code defines them: every {@code @ConfigMapping} interface of the main classes, found by
 * listing them (so a new feature's mapping is covered without touching this test), and each method's environment name
 * ({@code agent.policy.maxmemory-policy} -> {@code AGENT_POLICY_MAXMEMORY_POLICY}).
 */
final class Contract {

    private Contract() {
    }

    static List<Class<?>> mappings() {
        // The compiled main classes, loaded without initialising them (a classpath scanner takes many seconds).
        Path root = Path.of("target/classes");
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class") && !p.toString().contains("$")).toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c = Class.forName(name, false, Contract.class.getClassLoader());
                if (c.isAnnotationPresent(ConfigMapping.class)) {
                    out.add(c);
                }
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot list the main classes", e);
        }
        out.sort(Comparator.comparing(Class::getName));
        return out;
    }

    /** Environment name -> property, over every mapping. */
    static Map<String, String> environment() {
        Map<String, String> out = new TreeMap<>();
        for (Class<?> m : mappings()) {
            String prefix = m.getAnnotation(ConfigMapping.class).prefix();
            for (Method method : m.getDeclaredMethods()) {
                if (Modifier.isStatic(method.getModifiers()) || method.isDefault() || method.getParameterCount() > 0) {
                    continue;
                }
                String property = prefix + "." + kebab(method.getName());
                out.put(Settings.environmentName(property), property);
            }
        }
        return out;
    }

    /** SmallRye's default naming: {@code maxmemoryPolicy} -> {@code maxmemory-policy}. */
    static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** A mapping built from environment variables only, as the agent reads them in a pod. */
    static <C> C mapping(Class<C> type, Map<String, String> env) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withSources(new EnvConfigSource(env, 300)).withMapping(type).build();
        return config.getConfigMapping(type);
    }
}
