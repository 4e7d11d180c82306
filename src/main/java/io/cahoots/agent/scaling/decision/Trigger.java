package io.cahoots.agent.scaling.decision;

import java.util.Locale;

/** The four readings the platform's strategy scales on, each compared with its own threshold. */
public enum Trigger {
    CPU("cpu", "%"),
    MEMORY("memory", "%"),
    QUEUE("queue", ""),
    P95("p95", "ms");

    private final String label;
    private final String unit;

    Trigger(String label, String unit) {
        this.label = label;
        this.unit = unit;
    }

    /** The name used in explanations, metrics tags and the API: {@code cpu}, {@code memory}, {@code queue}, {@code p95}. */
    public String label() {
        return label;
    }

    public String unit() {
        return unit;
    }

    /** {@code 84%}, {@code 812ms}, {@code 130}: whole numbers, one decimal below 10 so that 0.4 does not read as 0. */
    public String format(double value) {
        String n = Math.abs(value) < 10 && value != Math.rint(value)
                ? String.format(Locale.ROOT, "%.1f", value)
                : String.format(Locale.ROOT, "%.0f", value);
        return n + unit;
    }
}
