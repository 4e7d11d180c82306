package io.cahoots.agent.caching;

import io.cahoots.agent.config.PolicySettings;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@code GET /api/v1/policy} shows, at one instant. Immutable.
 *
 * @param checkedAt       when the newest memory check was made (cluster poll or Sentinel read); empty before the first
 * @param sentinelChecked whether Sentinel-managed data nodes are part of the check ({@code AGENT_SENTINEL_NODES} set)
 * @param corrections     newest first, the last {@value PolicyService#CORRECTIONS_KEPT}
 */
public record PolicyStatus(PolicySettings settings, Optional<Instant> checkedAt, boolean clusterChecked,
                           boolean sentinelChecked, List<NodeStatus> nodes, AuditState audit, List<Correction> corrections) {

    public PolicyStatus {
        nodes = List.copyOf(nodes);
        corrections = List.copyOf(corrections);
    }

    /** @param audit the TTL audit of this node; empty for replicas, which are never audited */
    public record NodeStatus(MemoryDrift.NodeCheck check, Optional<AuditReport> audit) {
    }

    public record AuditState(boolean enabled, long cycles, Optional<Instant> lastCycleAt) {
    }
}
