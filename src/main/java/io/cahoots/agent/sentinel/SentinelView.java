package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the agent believes about the Sentinel-managed masters at one instant. Immutable; feeds
 * {@code GET /api/v1/sentinel}, the readiness check, the metrics and the topology view.
 *
 * @param sentinels every Sentinel the agent knows: configured, or discovered through {@code SENTINEL SENTINELS}
 * @param masters   by name, sorted
 */
public record SentinelView(Instant at, List<SentinelStatus> sentinels, Map<String, MasterState> masters) {

    public SentinelView {
        sentinels = List.copyOf(sentinels);
        masters = Map.copyOf(masters);
    }

    public long reachableCount() {
        return sentinels.stream().filter(SentinelStatus::reachable).count();
    }

    public boolean anyReachable() {
        return reachableCount() > 0;
    }

    /**
     * @param configured named in {@code AGENT_SENTINEL_NODES} (else discovered)
     * @param subscribed the {@code PSUBSCRIBE *} on it is open
     */
    public record SentinelStatus(HostPort address, Optional<String> runId, boolean configured, boolean reachable,
                                 boolean subscribed, Optional<String> error) {
    }

    /**
     * One master.
     *
     * @param address          where the agent believes it is: the majority's answer at first sight, later only moved
     *                         by a confirmed switch (see {@link Confirmation})
     * @param flags            as the Sentinels report it, e.g. {@code master} or {@code master,s_down,o_down}
     * @param quorumReachable  {@code SENTINEL CKQUORUM} says OK on a majority of the Sentinels that answered
     * @param sentinels        the group as seen: each member, whether the agent reaches it and what it names
     * @param lastFailover     the last switch the agent saw and confirmed (empty until one happens while it runs)
     */
    public record MasterState(String name, HostPort address, Instant since, String flags, long configEpoch, int quorum,
                              boolean quorumReachable, String quorumDetail, List<ReplicaState> replicas,
                              List<PeerState> sentinels, Optional<Failover> lastFailover) {

        public MasterState {
            replicas = List.copyOf(replicas);
            sentinels = List.copyOf(sentinels);
        }

        /** Replicas an application may read from: online links to this master. */
        public List<HostPort> usableReplicas() {
            return replicas.stream().filter(ReplicaState::online).map(ReplicaState::address).sorted().toList();
        }

        public long sentinelsAgreeing() {
            return sentinels.stream().filter(p -> p.names().filter(address::equals).isPresent()).count();
        }
    }

    /**
     * @param online   listed by {@code ROLE} on the master (its link is up); when the master could not be asked, the
     *                 Sentinels' word: not down and {@code master-link-status:ok}
     * @param lagBytes master offset minus the offset the replica acknowledged, when {@code ROLE} was read
     */
    public record ReplicaState(HostPort address, String flags, String linkStatus, boolean online, OptionalLong lagBytes) {
    }

    /** @param names the master address this Sentinel reported in the last poll */
    public record PeerState(HostPort address, Optional<String> runId, boolean reachable, Optional<HostPort> names) {
    }

    public record Failover(Instant at, HostPort from, HostPort to) {
    }
}
