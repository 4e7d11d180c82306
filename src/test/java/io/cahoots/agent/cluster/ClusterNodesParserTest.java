package io.cahoots.agent.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterNodesParserTest {

    @Test
    void parsesAStableClusterOfThreeMastersAndThreeReplicas() {
        List<NodeEntry> nodes = ClusterNodesParser.parse(Fixtures.read("cluster-nodes/three-masters-three-replicas.txt"));

        assertThat(nodes).hasSize(6);
        assertThat(nodes.stream().filter(NodeEntry::master)).hasSize(3);
        assertThat(nodes.stream().filter(NodeEntry::replica)).hasSize(3);
        NodeEntry self = nodes.stream().filter(NodeEntry::myself).findFirst().orElseThrow();
        assertThat(self.id()).isEqualTo("9b1d090be3b80074b1700ae0107a24c340d4dfb6");
        assertThat(self.address()).contains(new HostPort("127.0.0.1", 41001));
        assertThat(self.busPort()).isEqualTo(51001);
        assertThat(self.slots()).containsExactly(new SlotRange(0, 5460));
        assertThat(self.configEpoch()).isEqualTo(1);
        assertThat(self.linkConnected()).isTrue();
        assertThat(self.masterId()).isEmpty();
        NodeEntry replica = nodes.stream().filter(n -> n.id().startsWith("c268")).findFirst().orElseThrow();
        assertThat(replica.masterId()).contains("9b1d090be3b80074b1700ae0107a24c340d4dfb6");
        assertThat(replica.slots()).isEmpty();
        int total = nodes.stream().mapToInt(n -> SlotRange.count(n.slots())).sum();
        assertThat(total).isEqualTo(SlotRange.SLOT_COUNT);
    }

    @Test
    void readsMigratingMarkersOnTheSourceAndImportingOnTheTarget() {
        NodeEntry source = self("cluster-nodes/migrating-on-source.txt");
        assertThat(source.migrating()).isEqualTo(Map.of(
                100, "16156e46ae61cefa1ef369b31a2cd8e76156dc80",
                200, "16156e46ae61cefa1ef369b31a2cd8e76156dc80"));
        assertThat(source.importing()).isEmpty();
        assertThat(source.slots()).containsExactly(new SlotRange(0, 5460));

        NodeEntry target = self("cluster-nodes/importing-on-target.txt");
        assertThat(target.importing()).isEqualTo(Map.of(100, "9b1d090be3b80074b1700ae0107a24c340d4dfb6"));
        assertThat(target.migrating()).isEmpty();
    }

    @Test
    void readsHandshakeFailedNoaddrIpv6AndHostnames() {
        List<NodeEntry> nodes = ClusterNodesParser.parse(Fixtures.read("cluster-nodes/handshake-fail-ipv6-hostname.txt"));
        NodeEntry handshake = byId(nodes, "b2d2");
        assertThat(handshake.flags()).containsExactly(NodeFlag.HANDSHAKE);
        assertThat(handshake.linkConnected()).isFalse();

        NodeEntry failed = byId(nodes, "c268");
        assertThat(failed.flags()).containsExactlyInAnyOrder(NodeFlag.REPLICA, NodeFlag.FAIL);
        assertThat(failed.pingSentMillis()).isEqualTo(1795744512615L);

        NodeEntry v6 = byId(nodes, "d9b1");
        assertThat(v6.address()).contains(new HostPort("::1", 41007));
        assertThat(v6.address().orElseThrow().toString()).isEqualTo("[::1]:41007");
        assertThat(v6.hostname()).contains("node7.example");

        NodeEntry noaddr = byId(nodes, "e7d1");
        assertThat(noaddr.address()).isEmpty();
        assertThat(noaddr.flags()).containsExactlyInAnyOrder(NodeFlag.MASTER, NodeFlag.NOADDR);

        NodeEntry suspected = byId(nodes, "292f");
        assertThat(suspected.flags()).contains(NodeFlag.PFAIL).doesNotContain(NodeFlag.FAIL);
        assertThat(suspected.slots()).containsExactly(new SlotRange(5461, 5470), SlotRange.of(5480), new SlotRange(5490, 5499));
    }

    @Test
    void ignoresUnknownFlagsAndAuxFields() {
        NodeEntry e = ClusterNodesParser.parseLine(
                "aaaa 10.0.0.1:6379@16379,,shard-id=abc myself,master,futureflag - 0 0 7 connected 0-10");
        assertThat(e.flags()).containsExactlyInAnyOrder(NodeFlag.MYSELF, NodeFlag.MASTER);
        assertThat(e.hostname()).isEmpty();
        assertThat(e.address()).contains(new HostPort("10.0.0.1", 6379));
    }

    @Test
    void rejectsTruncatedLinesWithTheLineInTheMessage() {
        assertThatThrownBy(() -> ClusterNodesParser.parseLine("abc 127.0.0.1:1@2 master"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("abc 127.0.0.1:1@2 master");
    }

    private static NodeEntry self(String fixture) {
        return ClusterNodesParser.parse(Fixtures.read(fixture)).stream().filter(NodeEntry::myself).findFirst().orElseThrow();
    }

    private static NodeEntry byId(List<NodeEntry> nodes, String prefix) {
        return nodes.stream().filter(n -> n.id().startsWith(prefix)).findFirst().orElseThrow();
    }
}
