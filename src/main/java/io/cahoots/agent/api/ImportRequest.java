package io.cahoots.agent.api;

/**
 * Body of {@code POST /api/v1/cluster/import}.
 *
 * @param source      a Sentinel master name the agent watches, or host:port of a standalone primary
 * @param dryRun      default true: report what would move and whether it fits, move nothing
 * @param autoCutover publish the {@code cluster-enabled} view by itself once the full copy is done and the lag near zero
 */
public record ImportRequest(String source, Boolean dryRun, Boolean autoCutover) {
}
