package io.cahoots.agent.cluster;

import java.util.List;
import java.util.Optional;

/**
 * What one poll read from one address: its {@code CLUSTER NODES} view, {@code INFO} and
 * {@code CLUSTER INFO}, or why it could not be read.
 *
 * <p>A node read the cheap way sends only its own line and the {@link ViewDigest} of its view; the observer
 * then gives it the view of another node with the same digest ({@link #withView}), the very same list
 * object, so a thousand agreeing nodes hold one view, not a thousand copies.
 *
 * @param view       the node's view; for a cheap read, a view shared with nodes of the same digest (whose
 *                   {@code myself} line is then another node's), empty while unresolved
 * @param ownLine    the node's own line as it sent it, for a cheap read; else empty ({@link #self} finds it)
 * @param viewDigest {@link ViewDigest} of the node's view, when known
 */
public record NodeObservation(
        HostPort address,
        List<NodeEntry> view,
        Optional<InfoReply> info,
        Optional<InfoReply> clusterInfo,
        List<ShardInfo> shards,
        Optional<String> error,
        Optional<NodeEntry> ownLine,
        Optional<String> viewDigest) {

    public NodeObservation {
        view = List.copyOf(view);
        shards = List.copyOf(shards);
    }

    public NodeObservation(HostPort address, List<NodeEntry> view, Optional<InfoReply> info, Optional<InfoReply> clusterInfo,
                           List<ShardInfo> shards, Optional<String> error) {
        this(address, view, info, clusterInfo, shards, error, Optional.empty(), Optional.empty());
    }

    /** @param shards the node's {@code CLUSTER SHARDS} answer, empty when it was not asked */
    public static NodeObservation reached(HostPort address, List<NodeEntry> view, InfoReply info, InfoReply clusterInfo,
                                          List<ShardInfo> shards) {
        return new NodeObservation(address, view, Optional.of(info), Optional.of(clusterInfo), shards, Optional.empty());
    }

    /** A full read with the digest of its view; {@code info} is empty when metrics were not due. */
    public static NodeObservation full(HostPort address, List<NodeEntry> view, String digest, Optional<InfoReply> info,
                                       InfoReply clusterInfo, List<ShardInfo> shards) {
        return new NodeObservation(address, view, info, Optional.of(clusterInfo), shards, Optional.empty(),
                Optional.empty(), Optional.of(digest));
    }

    /** A cheap read: the node's own line and the digest of its view, no view yet. */
    public static NodeObservation cheap(HostPort address, NodeEntry ownLine, String digest, Optional<InfoReply> info,
                                        InfoReply clusterInfo, List<ShardInfo> shards) {
        return new NodeObservation(address, List.of(), info, Optional.of(clusterInfo), shards, Optional.empty(),
                Optional.of(ownLine), Optional.of(digest));
    }

    public static NodeObservation failed(HostPort address, String error) {
        return new NodeObservation(address, List.of(), Optional.empty(), Optional.empty(), List.of(), Optional.of(error));
    }

    public boolean reachable() {
        return error.isEmpty();
    }

    /** A cheap read whose view is not known yet. */
    public boolean unresolved() {
        return reachable() && view.isEmpty() && ownLine.isPresent();
    }

    /** The same observation with the view of a node whose digest is the same (shared, not copied). */
    public NodeObservation withView(List<NodeEntry> shared) {
        return new NodeObservation(address, shared, info, clusterInfo, shards, error, ownLine, viewDigest);
    }

    /** The same observation with its own full view, read after its cheap answer. */
    public NodeObservation withOwnView(List<NodeEntry> full, String digest) {
        return new NodeObservation(address, full, info, clusterInfo, shards, error, Optional.empty(), Optional.of(digest));
    }

    public NodeObservation withInfo(Optional<InfoReply> cached) {
        return new NodeObservation(address, view, cached, clusterInfo, shards, error, ownLine, viewDigest);
    }

    /** The observer's own line, the only one carrying its open-slot markers. */
    public Optional<NodeEntry> self() {
        if (ownLine.isPresent()) {
            return ownLine;
        }
        return view.stream().filter(NodeEntry::myself).findFirst();
    }
}
