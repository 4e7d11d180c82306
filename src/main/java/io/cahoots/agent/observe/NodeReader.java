package io.cahoots.agent.observe;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeObservation;
import io.cahoots.agent.redis.ClusterReader;

import java.util.function.BiFunction;

/**
 * How the {@link ClusterObserver} reads one node. Every method never throws: a node that cannot be read is a
 * failed observation.
 */
public interface NodeReader {

    /** The node's whole view, {@code CLUSTER INFO}, {@code INFO} when {@code withInfo}, shards when asked. */
    NodeObservation full(HostPort node, boolean withShards, boolean withInfo);

    /** The node's own line and view digest (or, when it cannot, a full read), {@code CLUSTER INFO}, INFO when due. */
    NodeObservation cheap(HostPort node, boolean withShards, boolean withInfo);

    /** Only the node's whole view and its digest. */
    NodeObservation view(HostPort node);

    static NodeReader of(ClusterReader reader) {
        return new NodeReader() {
            @Override
            public NodeObservation full(HostPort node, boolean withShards, boolean withInfo) {
                return reader.full(node, withShards, withInfo);
            }

            @Override
            public NodeObservation cheap(HostPort node, boolean withShards, boolean withInfo) {
                return reader.cheap(node, withShards, withInfo);
            }

            @Override
            public NodeObservation view(HostPort node) {
                return reader.view(node);
            }
        };
    }

    /** Every read is a full one, INFO included: the observer's behaviour before cheap reads existed. */
    static NodeReader fullOnly(BiFunction<HostPort, Boolean, NodeObservation> read) {
        return new NodeReader() {
            @Override
            public NodeObservation full(HostPort node, boolean withShards, boolean withInfo) {
                return read.apply(node, withShards);
            }

            @Override
            public NodeObservation cheap(HostPort node, boolean withShards, boolean withInfo) {
                return read.apply(node, withShards);
            }

            @Override
            public NodeObservation view(HostPort node) {
                return read.apply(node, false);
            }
        };
    }
}
