package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Payloads as Redis 7.0 Sentinels publish them (copied from a lab run). */
class SentinelEventTest {

    @Test
    void switchMasterNamesBothAddresses() {
        SentinelEvent e = SentinelEvent.parse("+switch-master", "mymaster 127.0.0.1 29001 127.0.0.1 29002");
        assertThat(e.type()).isEqualTo(SentinelEvent.Type.SWITCH_MASTER);
        assertThat(e.master()).contains("mymaster");
        assertThat(e.from()).contains(new HostPort("127.0.0.1", 29001));
        assertThat(e.to()).contains(new HostPort("127.0.0.1", 29002));
    }

    @Test
    void aMalformedSwitchIsIgnoredNotBelieved() {
        assertThat(SentinelEvent.parse("+switch-master", "mymaster 127.0.0.1 x").type()).isEqualTo(SentinelEvent.Type.OTHER);
        assertThat(SentinelEvent.parse("+switch-master", "mymaster a 1 b 99999").to()).isEmpty();
    }

    @Test
    void instanceMessagesNameTheirMaster() {
        Map<String, String> payloads = Map.of(
                "+failover-end", "master mymaster 127.0.0.1 29001",
                "+reset-master", "master mymaster 127.0.0.1 29001",
                "+slave", "slave 127.0.0.1:29001 127.0.0.1 29001 @ mymaster 127.0.0.1 29002",
                "-role-change", "slave 127.0.0.1:29001 127.0.0.1 29001 @ mymaster 127.0.0.1 29002 new reported role is master",
                "+sentinel", "sentinel 4bd55e609eb3999cca9d5593c69703c1b54a59b0 127.0.0.1 29012 @ mymaster 127.0.0.1 29001");
        payloads.forEach((channel, payload) -> assertThat(SentinelEvent.parse(channel, payload).master())
                .as(channel).contains("mymaster"));
        assertThat(SentinelEvent.parse("+failover-end", payloads.get("+failover-end")).type()).isEqualTo(SentinelEvent.Type.FAILOVER_END);
        assertThat(SentinelEvent.parse("+reset-master", payloads.get("+reset-master")).type()).isEqualTo(SentinelEvent.Type.RESET_MASTER);
        assertThat(SentinelEvent.parse("+slave", payloads.get("+slave")).type()).isEqualTo(SentinelEvent.Type.HINT);
    }

    @Test
    void electionChatterIsIgnored() {
        for (String channel : List.of("+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader", "__sentinel__:hello")) {
            assertThat(SentinelEvent.parse(channel, "1").type()).as(channel).isEqualTo(SentinelEvent.Type.OTHER);
        }
    }
}
