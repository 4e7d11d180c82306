package io.cahoots.agent.caching;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.caching.PolicyRedis.MemoryState;

import java.util.Optional;

/**
 * One data node's memory limits as last read, or why they could not be read.
 *
 * @param group  {@code cluster}, or {@code sentinel:<master name>} for the nodes of a Sentinel-managed group
 * @param role   {@code master} or {@code replica}
 * @param nodeId the cluster node id; empty for Sentinel-managed nodes
 */
public record NodeMemory(HostPort address, String group, String role, Optional<String> nodeId,
                         Optional<MemoryState> state, Optional<String> error) {

    public static final String CLUSTER = "cluster";

    public static String sentinelGroup(String master) {
        return "sentinel:" + master;
    }

    public static NodeMemory read(HostPort address, String group, String role, Optional<String> nodeId, MemoryState state) {
        return new NodeMemory(address, group, role, nodeId, Optional.of(state), Optional.empty());
    }

    public static NodeMemory unreadable(HostPort address, String group, String role, Optional<String> nodeId, String why) {
        return new NodeMemory(address, group, role, nodeId, Optional.empty(), Optional.of(why));
    }

    public boolean isMaster() {
        return "master".equals(role);
    }
}
