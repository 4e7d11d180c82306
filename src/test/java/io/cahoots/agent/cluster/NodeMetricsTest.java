package io.cahoots.agent.cluster;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NodeMetricsTest {

    @Test
    void readsAMastersInfo() {
        NodeMetrics m = NodeMetrics.fromInfo(InfoReply.parse(Fixtures.read("info-master.txt")));
        assertThat(m.keys()).isEqualTo(9);
        assertThat(m.keyspaceHits()).isEqualTo(9);
        assertThat(m.keyspaceMisses()).isEqualTo(9);
        assertThat(m.hitRatio()).isCloseTo(0.5, within(1e-9));
        assertThat(m.maxMemoryBytes()).isEqualTo(104857600);
        assertThat(m.maxMemoryPolicy()).isEqualTo("noeviction");
        assertThat(m.usedMemoryBytes()).isPositive();
        assertThat(m.connectedClients()).isEqualTo(1);
        assertThat(m.masterLinkUp()).isTrue();
        assertThat(m.commandCalls()).isPositive();
        assertThat(m.p99UsecByCommand()).containsKey("get");
        assertThat(m.redisVersion()).startsWith("7.");
    }

    @Test
    void readsAReplicasOffsetAndLink() {
        NodeMetrics m = NodeMetrics.fromInfo(InfoReply.parse(Fixtures.read("info-replica.txt")));
        assertThat(m.masterLinkUp()).isTrue();
        assertThat(m.replicationOffset()).isEqualTo(56);
        assertThat(m.hitRatio()).isEqualTo(-1);
    }

    @Test
    void sumsKeysOverDatabasesAndToleratesGarbage() {
        NodeMetrics m = NodeMetrics.fromInfo(InfoReply.parse(
                "# Keyspace\r\ndb0:keys=10,expires=2,avg_ttl=0\r\ndb3:keys=5,expires=x\r\nused_memory:abc\r\nrole:slave\r\nmaster_link_status:down\r\n"));
        assertThat(m.keys()).isEqualTo(15);
        assertThat(m.expires()).isEqualTo(2);
        assertThat(m.usedMemoryBytes()).isZero();
        assertThat(m.masterLinkUp()).isFalse();
    }

    @Test
    void theLeanParseOfThePollGivesTheSameMetricsFromFewerFieldsAndKeepsOnlyThem() {
        for (String fixture : new String[] {"info-master.txt", "info-replica.txt"}) {
            String text = Fixtures.read(fixture);
            InfoReply full = InfoReply.parse(text);
            InfoReply lean = InfoReply.forMetrics(text);
            assertThat(lean.metrics()).as(fixture).isEqualTo(NodeMetrics.fromInfo(full));
            assertThat(lean.fields()).as(fixture + ": only the metrics are kept").isEmpty();
            assertThat(InfoReply.parse(text, NodeMetrics::reads).fields().size()).as(fixture)
                    .isLessThan(full.fields().size() / 2);
        }
    }

    @Test
    void theMetricsOfAReplyAreComputedOnceAndShared() {
        InfoReply info = InfoReply.forMetrics(Fixtures.read("info-master.txt"));
        assertThat(info.metrics()).isSameAs(info.metrics());
    }
}
