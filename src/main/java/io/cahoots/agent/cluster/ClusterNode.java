package io.cahoots.agent.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One node as the agent sees it after merging every observer's view: the node's own view of itself
 * when it is reachable, otherwise its peers' view, plus the metrics read from it.
 *
 * @param clientEndpoint      {@code endpoint:port} that {@code CLUSTER SHARDS} tells clients to use (an
 *                            announced hostname, say), when known
 * @param replicationLagBytes for replicas whose master was read too: master offset minus replica offset; else 0
 * @param error               why the agent could not read it, when it could not
 */
public record ClusterNode(
        String id,
        Optional<HostPort> address,
        int busPort,
        Optional<String> hostname,
        Optional<String> clientEndpoint,
        Role role,
        Optional<String> masterId,
        List<SlotRange> slots,
        Set<NodeFlag> flags,
        boolean linkConnected,
        long configEpoch,
        Map<Integer, String> migrating,
        Map<Integer, String> importing,
        Health health,
        Optional<NodeMetrics> metrics,
        long replicationLagBytes,
        Optional<String> error) {

    public ClusterNode {
        slots = List.copyOf(slots);
        flags = Set.copyOf(flags);
        migrating = Map.copyOf(migrating);
        importing = Map.copyOf(importing);
    }

    public int slotCount() {
        return SlotRange.count(slots);
    }

    public boolean isMaster() {
        return role == Role.MASTER;
    }

    public String addressText() {
        return address.map(HostPort::toString).orElse("");
    }
}
