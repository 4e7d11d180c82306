package io.cahoots.agent.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One line of {@code CLUSTER NODES}: what one observer believes about one node.
 *
 * @param address   data address, empty for {@code noaddr} nodes and nodes still without an IP
 * @param migrating open slots this node is migrating, slot -> target node id (only on the observer's own line)
 * @param importing open slots this node is importing, slot -> source node id (only on the observer's own line)
 */
public record NodeEntry(
        String id,
        Optional<HostPort> address,
        int busPort,
        Optional<String> hostname,
        Set<NodeFlag> flags,
        Optional<String> masterId,
        long pingSentMillis,
        long pongReceivedMillis,
        long configEpoch,
        boolean linkConnected,
        List<SlotRange> slots,
        Map<Integer, String> migrating,
        Map<Integer, String> importing) {

    public NodeEntry {
        flags = Set.copyOf(flags);
        slots = List.copyOf(slots);
        migrating = Map.copyOf(migrating);
        importing = Map.copyOf(importing);
    }

    public boolean myself() {
        return flags.contains(NodeFlag.MYSELF);
    }

    public boolean master() {
        return flags.contains(NodeFlag.MASTER);
    }

    public boolean replica() {
        return flags.contains(NodeFlag.REPLICA);
    }

    public boolean failed() {
        return flags.contains(NodeFlag.FAIL);
    }
}
