package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithName;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps a bad setting to one line naming the variable, now that SmallRye converts the values. Two places fail:
 * SmallRye's conversion, when the config is built (before any bean: {@link #of} turns its report into the line), and
 * a typed value outside its {@link Range} ({@link #checked}, when a {@code *Settings} record is built from the mapping).
 */
public final class SettingErrors {

    /** Every mapping of the agent (SettingErrorsTest checks): where a property that failed to convert is looked up. */
    static final List<Class<?>> MAPPINGS = List.of(AgentConfig.class, SecurityConfig.class, MigrationConfig.class,
            ImportConfig.class, ObserveConfig.class, PushConfig.class, PolicyConfig.class, ScalingConfig.class,
            RedisScalingConfig.class, KubeConfig.class);

    /** SmallRye's message for a converter's exception (SRCFG00039), pinned by {@code SettingErrorsTest}. */
    private static final Pattern CONVERSION = Pattern.compile(
            "SRCFG00039: The config property (\\S+) with the config value \"(.*)\" threw an Exception whilst being converted (.*)",
            Pattern.DOTALL);

    private SettingErrors() {
    }

    /** The first value SmallRye could not convert, as today's line; empty when the failure is not one of ours. */
    public static Optional<InvalidSettingException> of(ConfigValidationException e) {
        for (int i = 0; i < e.getProblemCount(); i++) {
            Matcher m = CONVERSION.matcher(e.getProblem(i).getMessage());
            if (m.find()) {
                String property = m.group(1).replaceFirst("^%[^.]+\\.", ""); // a profile's %prod.agent.x is agent.x
                Optional<Method> method = method(property);
                if (method.isPresent()) {
                    Syntax.Kind<?> kind = kind(method.get());
                    String expected = kind == null ? m.group(3)
                            : kind.expected(method.get().getAnnotation(Range.class), m.group(3));
                    return Optional.of(new InvalidSettingException(Settings.environmentName(property),
                            "'" + m.group(2) + "'", expected));
                }
            }
        }
        return Optional.empty();
    }

    /** The first cause that is an invalid setting (ours, or SmallRye's conversion failure of one of ours). */
    public static Optional<InvalidSettingException> find(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidSettingException invalid) {
                return Optional.of(invalid);
            }
            if (t instanceof ConfigValidationException validation) {
                Optional<InvalidSettingException> ours = of(validation);
                if (ours.isPresent()) {
                    return ours;
                }
            }
        }
        return Optional.empty();
    }

    /** Checks every {@link Range} of a mapping and returns it; throws {@link InvalidSettingException} for the first miss. */
    public static <T> T checked(Class<T> type, T mapping) {
        String prefix = type.getAnnotation(ConfigMapping.class).prefix();
        for (Method method : type.getMethods()) {
            Range range = method.getAnnotation(Range.class);
            if (range == null) {
                continue;
            }
            Object value = value(method, mapping);
            if (value instanceof Optional<?> optional) {
                value = optional.orElse(null);
            }
            if (value != null) {
                check(prefix + "." + name(method), value, range, kind(method));
            }
        }
        return mapping;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void check(String property, Object value, Range range, Syntax.Kind kind) {
        Comparable v = (Comparable) value;
        if ((!range.min().isEmpty() && v.compareTo(kind.convert(range.min())) < 0)
                || (!range.max().isEmpty() && v.compareTo(kind.convert(range.max())) > 0)) {
            throw new InvalidSettingException(Settings.environmentName(property), "'" + kind.shown(value) + "'",
                    kind.expected(range, null));
        }
    }

    private static Object value(Method method, Object mapping) {
        try {
            return method.invoke(mapping);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + method, e);
        }
    }

    /** Compared as variables: the name SmallRye reports may be the property or, from the environment, the variable. */
    private static Optional<Method> method(String property) {
        String variable = Settings.environmentName(property);
        for (Class<?> type : MAPPINGS) {
            String prefix = type.getAnnotation(ConfigMapping.class).prefix() + ".";
            for (Method method : type.getMethods()) {
                if (variable.equals(Settings.environmentName(prefix + name(method)))) {
                    return Optional.of(method);
                }
            }
        }
        return Optional.empty();
    }

    /** The property name SmallRye gives a mapping method: {@code pollInterval} -> {@code poll-interval}. */
    static String name(Method method) {
        WithName named = method.getAnnotation(WithName.class);
        return named != null ? named.value() : method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Syntax.Kind<?> kind(Method method) {
        WithConverter converter = method.getAnnotation(WithConverter.class);
        if (converter == null || !Syntax.Kind.class.isAssignableFrom(converter.value())) {
            return null;
        }
        try {
            return (Syntax.Kind<?>) converter.value().getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + converter.value(), e);
        }
    }
}
