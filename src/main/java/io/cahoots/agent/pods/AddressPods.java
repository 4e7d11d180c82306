package io.cahoots.agent.pods;

import io.cahoots.agent.cluster.HostPort;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Off Kubernetes: the "pods" are the addresses the agent knows its nodes at now -- the configured seeds
 * ({@code AGENT_CLUSTER_NODES}) and what boot's provider adds (in the lab: its cluster nodes, wherever they moved, and
 * its spare nodes). No StatefulSet stands behind them, so only healing applies; new nodes join through
 * {@code POST /api/v1/cluster/nodes} or the shard autoscaler.
 */
public final class AddressPods implements PodSource {

    private final List<HostPort> seeds;
    private final Supplier<List<HostPort>> known;

    public AddressPods(List<HostPort> seeds, Supplier<List<HostPort>> known) {
        this.seeds = List.copyOf(seeds);
        this.known = known;
    }

    @Override
    public PodList list() {
        Set<HostPort> all = new LinkedHashSet<>(seeds);
        all.addAll(known.get());
        return PodList.of(all.stream().map(RedisPod::bare).toList());
    }

    @Override
    public String describe() {
        return "known addresses (AGENT_CLUSTER_NODES and the lab's nodes)";
    }
}
