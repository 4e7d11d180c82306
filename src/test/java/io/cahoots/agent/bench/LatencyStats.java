package io.cahoots.agent.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Samples in milliseconds and their nearest-rank percentiles. */
final class LatencyStats {

    private final String name;
    private final List<Double> samples = new ArrayList<>();
    private int missing;

    LatencyStats(String name) {
        this.name = name;
    }

    void add(double millis) {
        samples.add(millis);
    }

    /** A failover for which this channel produced nothing within the wait. */
    void miss() {
        missing++;
    }

    double percentile(double p) {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    String row() {
        if (samples.isEmpty()) {
            return String.format(Locale.ROOT, "  %-62s %8s %8s %8s   (no sample, %d missing)", name, "-", "-", "-", missing);
        }
        double max = Collections.max(samples);
        return String.format(Locale.ROOT, "  %-62s %8.1f %8.1f %8.1f%s", name, percentile(50), percentile(99), max,
                missing > 0 ? "   (" + missing + " failovers without a sample)" : "");
    }

    static String header() {
        return String.format(Locale.ROOT, "  %-62s %8s %8s %8s", "", "p50 ms", "p99 ms", "max ms");
    }
}
