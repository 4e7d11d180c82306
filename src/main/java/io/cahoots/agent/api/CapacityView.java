package io.cahoots.agent.api;

import io.cahoots.agent.scaling.decision.CapacityPlan;

import java.util.List;

/** The body of {@code POST /api/v1/capacity}: every stage of the sizing formula, the replica count and why. */
public record CapacityView(
        CapacityPlan.Input input,
        Stages cpuCores,
        ByteStages memoryBytes,
        Replicas replicas,
        String limitedBy,
        Utilization utilizationAtPeakPercent,
        List<String> warnings) {

    public record Stages(double base, double withOverhead, double peak) {
    }

    /** Whole bytes, rounded up. */
    public record ByteStages(long base, long withOverhead, long peak) {
    }

    /** @param recommended {@code needed} clamped to [min, max] */
    public record Replicas(int forCpu, int forMemory, int needed, int recommended, int min, int max) {
    }

    public record Utilization(double cpu, double memory) {
    }

    static CapacityView of(CapacityPlan p, int min, int max) {
        return new CapacityView(p.input(),
                new Stages(round3(p.cpuCores().base()), round3(p.cpuCores().withOverhead()), round3(p.cpuCores().peak())),
                new ByteStages((long) Math.ceil(p.memoryBytes().base()), (long) Math.ceil(p.memoryBytes().withOverhead()),
                        (long) Math.ceil(p.memoryBytes().peak())),
                new Replicas(p.replicasForCpu(), p.replicasForMemory(), p.replicasNeeded(), p.replicas(), min, max),
                p.limitedBy(), new Utilization(p.cpuUtilizationAtPeakPercent(), p.memoryUtilizationAtPeakPercent()),
                p.warnings());
    }

    private static double round3(double d) {
        return Math.round(d * 1000) / 1000.0;
    }
}
