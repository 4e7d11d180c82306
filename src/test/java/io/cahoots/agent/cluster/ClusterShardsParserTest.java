package io.cahoots.agent.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterShardsParserTest {

    /** The RESP2 reply of redis-server 7.0.15 (see fixtures), as a client decodes it: strings and longs. */
    static List<Object> realReply() {
        return List.of(
                List.of("slots", List.of(10923L, 16383L), "nodes", List.of(
                        List.of("id", "6d3dd98701134002eecd07bc0e14dcdc15751efb", "port", 41003L, "ip", "127.0.0.1",
                                "endpoint", "127.0.0.1", "role", "master", "replication-offset", 0L, "health", "online"),
                        List.of("id", "642e24b3417607bd70a4248b902a3640c9feec8d", "port", 41004L, "ip", "::1",
                                "endpoint", "::1", "role", "replica", "replication-offset", 0L, "health", "loading"))),
                List.of("slots", List.of(0L, 5460L), "nodes", List.of(
                        List.of("id", "9b1d090be3b80074b1700ae0107a24c340d4dfb6", "port", 41001L, "ip", "127.0.0.1",
                                "endpoint", "127.0.0.1", "hostname", "node1.example", "role", "master",
                                "replication-offset", 56L, "health", "online"))),
                List.of("slots", List.of(), "nodes", List.of(
                        List.of("id", "d9b1394e2c25734306cc285da4daeebf973ba622", "port", 41007L, "ip", "::1",
                                "endpoint", "::1", "role", "master", "replication-offset", 0L, "health", "online",
                                "future-field", "x"))));
    }

    @Test
    void parsesSlotsNodesRolesAndHealth() {
        List<ShardInfo> shards = ClusterShardsParser.parse(realReply());
        assertThat(shards).hasSize(3);
        assertThat(shards.get(0).slots()).containsExactly(new SlotRange(10923, 16383));
        assertThat(shards.get(0).nodes()).extracting(ShardInfo.Node::health).containsExactly("online", "loading");
        assertThat(shards.get(0).nodes().get(1).ip()).contains("::1");
        assertThat(shards.get(1).nodes().get(0).hostname()).contains("node1.example");
        assertThat(shards.get(1).nodes().get(0).replicationOffset()).isEqualTo(56);
        assertThat(shards.get(2).slots()).isEmpty();
    }

    @Test
    void acceptsResp3Maps() {
        List<ShardInfo> shards = ClusterShardsParser.parse(List.of(Map.of("slots", List.of(0L, 1L, 5L, 5L),
                "nodes", List.of(Map.of("id", "abc", "port", 7000L, "role", "master", "health", "failed")))));
        assertThat(shards.get(0).slots()).containsExactly(new SlotRange(0, 1), SlotRange.of(5));
        assertThat(shards.get(0).nodes().get(0).health()).isEqualTo("failed");
    }
}
