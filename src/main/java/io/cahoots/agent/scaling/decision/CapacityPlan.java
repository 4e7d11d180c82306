package io.cahoots.agent.scaling.decision;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The strategy's sizing formula, as a pure function of its inputs.
 *
 * <ol>
 *   <li>Base: CPU cores = requests/s x CPU seconds per request; memory = active users x bytes per user.</li>
 *   <li>Overhead: both times (1 + overhead%), 20-30% per the strategy.</li>
 *   <li>Peak: times the peak factor, 2-3x the average.</li>
 *   <li>Replicas: the fewest pods that keep CPU and memory at or below the target utilisation at peak, i.e.
 *       ceil(peak / (pod size x target%)) for each resource; the larger count wins and names the limiting resource.</li>
 *   <li>Clamp to [min, max] replicas; when a bound decides the count, warn, and at the max say what utilisation the
 *       peak would then reach.</li>
 * </ol>
 */
public record CapacityPlan(
        Input input,
        Resources cpuCores,
        Resources memoryBytes,
        int replicasForCpu,
        int replicasForMemory,
        int replicasNeeded,
        int replicas,
        String limitedBy,
        double cpuUtilizationAtPeakPercent,
        double memoryUtilizationAtPeakPercent,
        List<String> warnings) {

    public static final double DEFAULT_OVERHEAD_PERCENT = 25;
    public static final double DEFAULT_PEAK_FACTOR = 2.5;
    public static final double DEFAULT_TARGET_UTILIZATION_PERCENT = 70;

    public CapacityPlan {
        warnings = List.copyOf(warnings);
    }

    /** Validated inputs (the API names the field of any bad one before this is built). */
    public record Input(double requestsPerSecond, double cpuSecondsPerRequest, long activeUsers, double memoryPerUserBytes,
                        double overheadPercent, double peakFactor, double podCpuCores, double podMemoryBytes,
                        double targetUtilizationPercent) {
    }

    /** One resource at each stage of the formula. */
    public record Resources(double base, double withOverhead, double peak) {
    }

    public static CapacityPlan plan(Input in, int minReplicas, int maxReplicas) {
        double overhead = 1 + in.overheadPercent() / 100;
        double cpuBase = in.requestsPerSecond() * in.cpuSecondsPerRequest();
        double memBase = in.activeUsers() * in.memoryPerUserBytes();
        Resources cpu = new Resources(cpuBase, cpuBase * overhead, cpuBase * overhead * in.peakFactor());
        Resources mem = new Resources(memBase, memBase * overhead, memBase * overhead * in.peakFactor());
        double target = in.targetUtilizationPercent() / 100;
        int forCpu = pods(cpu.peak() / (in.podCpuCores() * target));
        int forMemory = pods(mem.peak() / (in.podMemoryBytes() * target));
        int needed = Math.max(1, Math.max(forCpu, forMemory));
        int replicas = Math.max(minReplicas, Math.min(maxReplicas, needed));
        double cpuUtil = 100 * cpu.peak() / (replicas * in.podCpuCores());
        double memUtil = 100 * mem.peak() / (replicas * in.podMemoryBytes());
        List<String> warnings = new ArrayList<>();
        if (needed > maxReplicas) {
            warnings.add(String.format(Locale.ROOT, "the peak needs %d replicas but the maximum is %d "
                    + "(AGENT_SCALING_MAX_REPLICAS): at peak CPU would reach %.0f%% and memory %.0f%% of the pods' size",
                    needed, maxReplicas, cpuUtil, memUtil));
        } else if (needed < minReplicas) {
            warnings.add(String.format(Locale.ROOT, "the peak needs only %d replica(s); the minimum of %d "
                    + "(AGENT_SCALING_MIN_REPLICAS) decides the count", needed, minReplicas));
        }
        return new CapacityPlan(in, cpu, mem, forCpu, forMemory, needed, replicas, forCpu >= forMemory ? "cpu" : "memory",
                round(cpuUtil), round(memUtil), warnings);
    }

    /** Whole pods; a hair over an integer from floating-point error does not cost a pod. */
    private static int pods(double exact) {
        double n = Math.ceil(exact - 1e-9);
        return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.max(0, n);
    }

    private static double round(double d) {
        return Math.round(d * 10) / 10.0;
    }
}
