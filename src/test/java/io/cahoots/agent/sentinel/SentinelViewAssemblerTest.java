package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.sentinel.SentinelViewAssembler.Belief;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SentinelViewAssemblerTest {

    static final HostPort P = new HostPort("127.0.0.1", 7000);
    static final HostPort R1 = new HostPort("127.0.0.1", 7001);
    static final HostPort R2 = new HostPort("127.0.0.1", 7002);
    static final HostPort S1 = new HostPort("127.0.0.1", 26379);
    static final HostPort S2 = new HostPort("127.0.0.1", 26380);
    static final HostPort S3 = new HostPort("127.0.0.1", 26381);
    static final HostPort PROXY = new HostPort("10.0.0.9", 26379);
    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    static SentinelReading reading(HostPort s, String runId, HostPort master, long epoch, List<SentinelReplies.Peer> peers,
                                   SentinelReplies.Replica... replicas) {
        return reading(s, runId, master, "master", epoch, peers, replicas);
    }

    static SentinelReading reading(HostPort s, String runId, HostPort master, String flags, long epoch,
                                   List<SentinelReplies.Peer> peers, SentinelReplies.Replica... replicas) {
        var m = new SentinelReading.MasterReading(new SentinelReplies.Master("mymaster", master, flags, 2, epoch),
                List.of(replicas), peers, new SentinelReplies.QuorumCheck(true, "OK 3 usable Sentinels"));
        return new SentinelReading(s, Optional.of(runId), Optional.empty(), Map.of("mymaster", m));
    }

    static SentinelReplies.Peer peer(HostPort a, String id) {
        return new SentinelReplies.Peer(a, id, "sentinel");
    }

    static SentinelReplies.Replica replica(HostPort a, String flags, String link) {
        return new SentinelReplies.Replica(a, flags, link, 100);
    }

    @Test
    void theMajorityAddressWinsAndTheNewerEpochBreaksTies() {
        var readings = List.of(reading(S1, "a", P, 1, List.of()), reading(S2, "b", R1, 2, List.of()),
                reading(S3, "c", P, 1, List.of()));
        assertThat(SentinelViewAssembler.majorityAddress(readings, "mymaster")).contains(P);
        var tie = List.of(reading(S1, "a", P, 1, List.of()), reading(S2, "b", R1, 2, List.of()));
        assertThat(SentinelViewAssembler.majorityAddress(tie, "mymaster")).contains(R1);
        assertThat(SentinelViewAssembler.majorityAddress(tie, "other")).isEmpty();
    }

    /**
     * One Sentinel down, the failover leader listed first: until its failover ends, its SENTINEL MASTER shows the old
     * master with the new epoch already, while the other Sentinel has switched. The old master must not win the tie.
     */
    @Test
    void aTieIsNotWonByTheOldAddressOfALeaderStillFailingOver() {
        var leaderMidFailover = reading(PROXY, "a", P, "master,failover_in_progress", 2, List.of());
        var switched = reading(S2, "b", R1, "master", 2, List.of());
        var down = SentinelReading.failed(S3, "Connection refused");
        assertThat(SentinelViewAssembler.majorityAddress(List.of(leaderMidFailover, switched, down), "mymaster")).contains(R1);
        assertThat(SentinelViewAssembler.majorityAddress(List.of(switched, leaderMidFailover, down), "mymaster")).contains(R1);
        // Alone, the leader still names the old master: the poll then confirms nothing new.
        assertThat(SentinelViewAssembler.majorityAddress(List.of(leaderMidFailover, down), "mymaster")).contains(P);
    }

    @Test
    void aSentinelReachedThroughTwoAddressesCountsOnce() {
        // Configured as PROXY (a Service name, say); its peers list it under its own address S1 with the same run id.
        var readings = List.of(
                reading(PROXY, "a", P, 1, List.of(peer(S2, "b"), peer(S3, "c"))),
                reading(S2, "b", P, 1, List.of(peer(S1, "a"), peer(S3, "c"))),
                SentinelReading.failed(S3, "Connection refused"));
        assertThat(SentinelViewAssembler.members(readings, "mymaster", Map.of())).containsExactly(PROXY, S2, S3);
    }

    @Test
    void aConfiguredSentinelThatIsDownIsStillRecognisedByItsRememberedRunId() {
        var readings = List.of(
                SentinelReading.failed(PROXY, "Connection refused"),
                reading(S2, "b", P, 1, List.of(peer(S1, "a"))));
        assertThat(SentinelViewAssembler.members(readings, "mymaster", Map.of(PROXY, "a"))).containsExactly(PROXY, S2);
        assertThat(SentinelViewAssembler.members(readings, "mymaster", Map.of())).containsExactly(PROXY, S2, S1);
    }

    @Test
    void replicasAreOnlineWhenTheMasterListsThemAndTheJustPromotedOneIsNotItsOwnReplica() {
        var readings = List.of(reading(S1, "a", P, 1, List.of(), replica(R1, "slave", "ok"), replica(R2, "slave", "ok"),
                replica(P, "slave", "ok")));
        RoleReply role = RoleReply.parse(List.of("master", 1000L, List.of(List.of("127.0.0.1", "7001", "990"))));
        SentinelView v = SentinelViewAssembler.assemble(T, readings, Map.of("mymaster", new Belief(P, T, Optional.empty())),
                Map.of("mymaster", role), Set.of(S1), Set.of(S1), Map.of());
        SentinelView.MasterState m = v.masters().get("mymaster");
        assertThat(m.replicas()).extracting(SentinelView.ReplicaState::address).containsExactly(R1, R2);
        assertThat(m.usableReplicas()).containsExactly(R1);
        assertThat(m.replicas().get(0).lagBytes()).hasValue(10);
        assertThat(m.replicas().get(1).lagBytes()).isEmpty();
        assertThat(m.quorumReachable()).isTrue();
        assertThat(m.sentinelsAgreeing()).isEqualTo(1);
        assertThat(v.sentinels()).singleElement().satisfies(s -> {
            assertThat(s.subscribed()).isTrue();
            assertThat(s.runId()).contains("a");
        });
    }

    @Test
    void withoutRoleTheSentinelsWordDecidesWhichReplicasAreOnline() {
        var readings = List.of(reading(S1, "a", P, 1, List.of(), replica(R1, "slave", "ok"),
                replica(R2, "slave,s_down", "err")));
        SentinelView v = SentinelViewAssembler.assemble(T, readings, Map.of("mymaster", new Belief(P, T, Optional.empty())),
                Map.of(), Set.of(S1), Set.of(), Map.of());
        assertThat(v.masters().get("mymaster").usableReplicas()).containsExactly(R1);
    }
}
