package io.cahoots.agent.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/v1/capacity}, for the API's description only: {@link CapacityResource} reads the JSON
 * field by field, so that a misspelt or unknown field is a 400 naming it rather than a silent default.
 */
@Schema(name = "CapacityRequest", description = "Inputs of the strategy's sizing formula; unknown fields are refused")
public record CapacityRequest(
        @Schema(required = true, description = "requests per second at the average load", examples = "1200") double requestsPerSecond,
        @Schema(required = true, description = "CPU seconds one request costs", examples = "0.002") double cpuSecondsPerRequest,
        @Schema(required = true, description = "users active at once (whole number)", examples = "50000") long activeUsers,
        @Schema(required = true, description = "memory per active user, bytes", examples = "20000") double memoryPerUserBytes,
        @Schema(description = "overhead added, 20-30 (default 25)", examples = "25") Double overheadPercent,
        @Schema(description = "peak over average, 2-3 (default 2)", examples = "2") Double peakFactor,
        @Schema(required = true, description = "CPU cores of one API pod", examples = "1") double podCpuCores,
        @Schema(required = true, description = "memory of one API pod, bytes", examples = "1073741824") double podMemoryBytes,
        @Schema(description = "utilisation to plan for, percent (default 70)", examples = "70") Double targetUtilizationPercent) {
}
