package io.cahoots.agent.cluster;

import java.util.List;
import java.util.Optional;

/**
 * What one poll read from one address: its {@code CLUSTER NODES} view, {@code INFO} and
 * {@code CLUSTER INFO}, or why it could not be read.
 */
public record NodeObservation(
        HostPort address,
        List<NodeEntry> view,
        Optional<InfoReply> info,
        Optional<InfoReply> clusterInfo,
        List<ShardInfo> shards,
        Optional<String> error) {

    public NodeObservation {
        view = List.copyOf(view);
        shards = List.copyOf(shards);
    }

    /** @param shards the node's {@code CLUSTER SHARDS} answer, empty when it was not asked */
    public static NodeObservation reached(HostPort address, List<NodeEntry> view, InfoReply info, InfoReply clusterInfo,
                                          List<ShardInfo> shards) {
        return new NodeObservation(address, view, Optional.of(info), Optional.of(clusterInfo), shards, Optional.empty());
    }

    public static NodeObservation failed(HostPort address, String error) {
        return new NodeObservation(address, List.of(), Optional.empty(), Optional.empty(), List.of(), Optional.of(error));
    }

    public boolean reachable() {
        return error.isEmpty();
    }

    /** The observer's own line, the only one carrying its open-slot markers. */
    public Optional<NodeEntry> self() {
        return view.stream().filter(NodeEntry::myself).findFirst();
    }
}
