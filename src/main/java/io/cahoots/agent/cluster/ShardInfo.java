package io.cahoots.agent.cluster;

import java.util.List;
import java.util.Optional;

/** One entry of {@code CLUSTER SHARDS}: a shard's slots and its nodes with their own health word. */
public record ShardInfo(List<SlotRange> slots, List<Node> nodes) {

    public ShardInfo {
        slots = List.copyOf(slots);
        nodes = List.copyOf(nodes);
    }

    /**
     * @param health {@code online}, {@code failed} or {@code loading}, as the answering node sees it
     */
    public record Node(String id, Optional<String> ip, Optional<String> endpoint, Optional<String> hostname, int port,
                       String role, long replicationOffset, String health) {
    }
}
