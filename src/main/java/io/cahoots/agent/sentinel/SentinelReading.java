package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one Sentinel said in one poll, or why it said nothing.
 *
 * @param runId   {@code SENTINEL MYID}, which its peers list it under: how two addresses of one Sentinel are told apart
 * @param masters by master name, only the watched ones
 */
public record SentinelReading(HostPort sentinel, Optional<String> runId, Optional<String> error,
                              Map<String, MasterReading> masters) {

    public SentinelReading {
        masters = Map.copyOf(masters);
    }

    public static SentinelReading failed(HostPort sentinel, String error) {
        return new SentinelReading(sentinel, Optional.empty(), Optional.of(error), Map.of());
    }

    public boolean reachable() {
        return error.isEmpty();
    }

    /** One master as this Sentinel sees it. */
    public record MasterReading(SentinelReplies.Master master, List<SentinelReplies.Replica> replicas,
                                List<SentinelReplies.Peer> peers, SentinelReplies.QuorumCheck quorum) {
        public MasterReading {
            replicas = List.copyOf(replicas);
            peers = List.copyOf(peers);
        }
    }
}
