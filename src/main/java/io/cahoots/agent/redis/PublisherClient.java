package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.HostPort;

/** {@code PUBLISH} on one data node through the shared connection pools. */
public final class PublisherClient {

    private final RedisConnections connections;

    public PublisherClient(RedisConnections connections) {
        this.connections = connections;
    }

    /**
     * @return how many clients received the message on that node (in a cluster the bus also forwards it to
     *         every other node, whose subscribers are not counted here)
     * @throws RedisException when the node cannot be reached or refuses
     */
    public long publish(HostPort node, String channel, String message) {
        return connections.onNode(node, j -> j.publish(channel, message));
    }
}
