package io.cahoots.agent.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The validated migration limits; {@link #from} throws {@link InvalidSettingException} for the first bad value.
 *
 * @param maxLatency {@link Duration#ZERO} when there is no budget
 * @param batchBytes 0 when batches are bounded by keys only
 */
public record MigrationSettings(Duration maxLatency, long batchBytes) implements SettingsGroup {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|mb|gb)?");

    public static MigrationSettings from(MigrationConfig c) {
        String latency = c.maxLatency().trim().toLowerCase(Locale.ROOT);
        Duration max = latency.equals("off") ? Duration.ZERO
                : Settings.duration("AGENT_MIGRATION_MAX_LATENCY", c.maxLatency(), Duration.ZERO, Duration.ofSeconds(10));
        return new MigrationSettings(max, bytes("AGENT_MIGRATION_BATCH_BYTES", c.batchBytes(), 1L << 40));
    }

    /** {@code 512kb}, {@code 8mb}, {@code 1gb} (powers of 1024, as Redis reads them) or a bare number of bytes. */
    static long bytes(String variable, String value, long max) {
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
                if (n <= (max >> shift)) {
                    return n << shift;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new InvalidSettingException(variable, "'" + value + "'", "a size up to " + (max >> 30) + "gb such as 0, 512kb or 8mb");
    }
}
