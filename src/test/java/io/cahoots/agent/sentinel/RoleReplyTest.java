package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ROLE replies as Jedis decodes them: Strings, Longs and Lists. */
class RoleReplyTest {

    @Test
    void masterWithItsOnlineReplicasAndTheirLag() {
        RoleReply r = RoleReply.parse(List.of("master", 3129659L, List.of(List.of("127.0.0.1", "9001", "3129242"),
                List.of("127.0.0.1", "9002", "3129659"))));
        assertThat(r.isMaster()).isTrue();
        assertThat(r.replicas()).extracting(RoleReply.ReplicaOffset::address)
                .containsExactly(new HostPort("127.0.0.1", 9001), new HostPort("127.0.0.1", 9002));
        assertThat(r.lagOf(r.replicas().get(0))).isEqualTo(417);
        assertThat(r.lagOf(r.replicas().get(1))).isZero();
    }

    @Test
    void replicaNamesItsMaster() {
        RoleReply r = RoleReply.parse(List.of("slave", "127.0.0.1", 9000L, "connected", 3167038L));
        assertThat(r.isMaster()).isFalse();
        assertThat(r.masterOf()).contains(new HostPort("127.0.0.1", 9000));
        assertThat(r).hasToString("replica of 127.0.0.1:9000");
    }

    @Test
    void sentinelIsNeitherMasterNorReplica() {
        RoleReply r = RoleReply.parse(List.of("sentinel", List.of("mymaster")));
        assertThat(r.isMaster()).isFalse();
        assertThat(r.masterOf()).isEmpty();
    }

    @Test
    void emptyIsAnError() {
        assertThatThrownBy(() -> RoleReply.parse(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
