package io.cahoots.agent.config;

import io.cahoots.agent.cluster.HostPort;
import org.eclipse.microprofile.config.spi.Converter;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's value syntaxes, as SmallRye converters named on the mapping methods ({@code @WithConverter}). Each
 * converter checks the syntax only: it does not know which variable it converts, so a failure says why the text is
 * not a value and {@link SettingErrors} turns it into the one-line error naming the variable; the bounds of a
 * setting are its {@link Range}, checked by {@link SettingErrors#checked}.
 */
public final class Syntax {

    private Syntax() {
    }

    /** A converter that can also say what a setting of its kind accepts, for the one-line error. */
    public interface Kind<T> extends Converter<T> {

        /**
         * What a setting of this kind accepts.
         *
         * @param range  the setting's bounds, or null when it has none
         * @param reason why the text was refused (the converter's message), or null when it was out of range
         */
        String expected(Range range, String reason);

        /** A converted value written back in this syntax, for an out-of-range error. */
        default String shown(T value) {
            return String.valueOf(value);
        }
    }

    /** {@code true} or {@code false}, any case. Strict: SmallRye's own converter reads "ture" as false. */
    public static final class Flag implements Kind<Boolean> {
        @Override
        public Boolean convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return v.equals("true");
            }
            throw new IllegalArgumentException("not true or false");
        }

        @Override
        public String expected(Range range, String reason) {
            return "true or false";
        }
    }

    /**
     * {@code 500us}, {@code 500ms}, {@code 1s}, {@code 5m}, {@code 1h}, a bare number of seconds, or ISO-8601
     * ({@code PT5M}). Microseconds are for latency budgets, which are fractions of a millisecond.
     */
    public static class Span implements Kind<Duration> {

        private static final Pattern SIMPLE = Pattern.compile("(\\d+)(us|ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            String v = value.trim();
            Matcher m = SIMPLE.matcher(v);
            try {
                if (m.matches()) {
                    long n = Long.parseLong(m.group(1));
                    return switch (m.group(2) == null ? "s" : m.group(2)) {
                        case "us" -> Duration.of(n, ChronoUnit.MICROS);
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        default -> Duration.ofHours(n);
                    };
                }
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a duration");
            }
        }

        @Override
        public String expected(Range range, String reason) {
            return "a duration between " + human(convert(range.min())) + " and " + human(convert(range.max()))
                    + " such as 500ms, 1s or 5m";
        }

        /** Exact, in the largest unit that divides it: 500us, 1500ms, 90s, 5m, 24h. */
        @Override
        public String shown(Duration d) {
            if (d.toNanos() % 1_000_000 != 0) {
                return d.toNanos() / 1000 + "us";
            }
            long ms = d.toMillis();
            if (ms % 1000 != 0) {
                return ms + "ms";
            }
            long s = ms / 1000;
            if (s % 60 != 0 || s == 0) {
                return s + "s";
            }
            return s % 3600 != 0 ? s / 60 + "m" : s / 3600 + "h";
        }

        /** A bound as the error shows it (bounds are round figures). */
        private static String human(Duration d) {
            if (d.toMillis() < 1000) {
                return d.toMillis() + "ms";
            }
            if (d.toSeconds() < 60) {
                return d.toSeconds() + "s";
            }
            return d.toMinutes() < 60 ? d.toMinutes() + "m" : d.toHours() + "h";
        }
    }

    /** A {@link Span}, or {@code off} for {@link Duration#ZERO}: a budget that can be switched off. */
    public static final class SpanOrOff extends Span {
        @Override
        public Duration convert(String value) {
            return value.trim().equalsIgnoreCase("off") ? Duration.ZERO : super.convert(value);
        }
    }

    /** A whole number (an {@code int}). */
    public static class Whole implements Kind<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a whole number");
            }
        }

        @Override
        public String expected(Range range, String reason) {
            return "a whole number from " + range.min() + " to " + range.max();
        }
    }

    /** {@link Whole}, in the words the scaling settings have always used ("between 1 and 1000"). */
    public static final class WholeBetween extends Whole {
        @Override
        public String expected(Range range, String reason) {
            return "a whole number between " + range.min() + " and " + range.max();
        }
    }

    /** A finite number greater than 0, decimals allowed; a {@link Range} may give a maximum. */
    public static class Positive implements Kind<Double> {
        @Override
        public Double convert(String value) {
            try {
                double d = Double.parseDouble(value.trim());
                if (Double.isFinite(d) && d > 0) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("not a number greater than 0");
        }

        @Override
        public String expected(Range range, String reason) {
            return range == null || range.max().isEmpty() ? "a number greater than 0"
                    : "a number greater than 0 and at most " + range.max();
        }

        @Override
        public String shown(Double value) {
            return number(value);
        }
    }

    /** {@link Positive}, in the words the Redis shard autoscaler's settings have always used. */
    public static final class Rate extends Positive {
        @Override
        public String expected(Range range, String reason) {
            return "a positive number";
        }
    }

    /** A percentage from 0 to 100, decimals allowed; the bounds are the kind's own. */
    public static final class Percent implements Kind<Double> {
        @Override
        public Double convert(String value) {
            try {
                double d = Double.parseDouble(value.trim());
                if (d >= 0 && d <= 100) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("not a percentage");
        }

        @Override
        public String expected(Range range, String reason) {
            return "a percentage from 0 to 100";
        }
    }

    /**
     * A size in bytes: {@code 512kb}, {@code 8mb}, {@code 1gb} (powers of 1024, as Redis reads them) or a bare number
     * of bytes. Not Redis' full syntax ({@code k}, {@code m} are powers of 1000 there): that one is
     * {@link PolicySettings#parseMemory}, for {@code maxmemory}.
     */
    public static final class Bytes implements Kind<Long> {

        private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|mb|gb)?");

        @Override
        public Long convert(String value) {
            Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (m.matches()) {
                try {
                    long n = Long.parseLong(m.group(1));
                    int shift = switch (m.group(2) == null ? "b" : m.group(2)) {
                        case "kb" -> 10;
                        case "mb" -> 20;
                        case "gb" -> 30;
                        default -> 0;
                    };
                    if (n <= (Long.MAX_VALUE >> shift)) {
                        return n << shift;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            throw new IllegalArgumentException("not a size");
        }

        @Override
        public String expected(Range range, String reason) {
            return "a size up to " + shown(convert(range.max())) + " such as 0, 512kb or 8mb";
        }

        @Override
        public String shown(Long bytes) {
            String[] units = {"gb", "mb", "kb"};
            for (int i = 0; i < units.length; i++) {
                int shift = 30 - 10 * i;
                if (bytes != 0 && bytes % (1L << shift) == 0) {
                    return (bytes >> shift) + units[i];
                }
            }
            return String.valueOf(bytes);
        }
    }

    /**
     * One of an enum's constants, by its lower-case name (any case, trimmed). Subclassed per enum, and the subclass
     * overrides {@code convert} with the enum as its return type: SmallRye checks the converter's declared type.
     */
    public abstract static class Choice<E extends Enum<E>> implements Kind<E> {

        private final Class<E> type;

        protected Choice(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String value) {
            String v = value.trim();
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(v)) {
                    return e;
                }
            }
            throw new IllegalArgumentException("not " + expected(null, null));
        }

        @Override
        public String expected(Range range, String reason) {
            List<String> names = java.util.Arrays.stream(type.getEnumConstants())
                    .map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
            return names.size() == 1 ? names.get(0)
                    : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        }

        @Override
        public String shown(E value) {
            return value.name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code 101}, not {@code 101.0}: a whole figure as the operator wrote it. */
    static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    /**
     * Comma-separated {@code host:port} addresses, none twice ({@code Optional<List<HostPort>>} mappings: SmallRye
     * gives the converter the whole value).
     */
    public static final class Addresses implements Kind<List<HostPort>> {
        @Override
        public List<HostPort> convert(String value) {
            List<HostPort> list = HostPort.parseList(value);
            if (list.stream().distinct().count() != list.size()) {
                throw new IllegalArgumentException("duplicate address");
            }
            return list;
        }

        @Override
        public String expected(Range range, String reason) {
            return "comma-separated host:port addresses such as 10.0.0.1:6379,[::1]:7000"
                    + (reason == null ? "" : " (" + reason + ")");
        }
    }
}
