package io.cahoots.agent.executor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Telling applications' commands from the agent's own, and a busy shard from an idle one. */
class ClientActivityTest {

    private static final long S = 1_000_000_000L;

    /** A Redis 7.0 {@code INFO commandstats} reply: clients' GET, SET and EVALSHA among the agent's own commands. */
    private static final String STATS = String.join("\r\n",
            "# Commandstats",
            "cmdstat_get:calls=1500,usec=900,usec_per_call=0.60,rejected_calls=0,failed_calls=0",
            "cmdstat_set:calls=500,usec=600,usec_per_call=1.20,rejected_calls=0,failed_calls=0",
            "cmdstat_evalsha:calls=7,usec=700,usec_per_call=100.00,rejected_calls=0,failed_calls=0",
            "cmdstat_ping:calls=90000,usec=9000,usec_per_call=0.10,rejected_calls=0,failed_calls=0",
            "cmdstat_info:calls=300,usec=30000,usec_per_call=100.00,rejected_calls=0,failed_calls=0",
            "cmdstat_cluster|getkeysinslot:calls=40,usec=400,usec_per_call=10.00,rejected_calls=0,failed_calls=0",
            "cmdstat_migrate:calls=4000,usec=400000,usec_per_call=100.00,rejected_calls=0,failed_calls=0",
            "cmdstat_memory|usage:calls=64000,usec=6400,usec_per_call=0.10,rejected_calls=0,failed_calls=0",
            "cmdstat_client|setname:calls=3,usec=3,usec_per_call=1.00,rejected_calls=0,failed_calls=0",
            "cmdstat_replconf:calls=800,usec=80,usec_per_call=0.10,rejected_calls=0,failed_calls=0",
            "");

    @Test
    void onlyApplicationsCommandsCount() {
        assertThat(ClientActivity.clientCalls(STATS)).isEqualTo(1500 + 500 + 7);
        assertThat(ClientActivity.clientCalls("# Commandstats\r\n")).isZero();
    }

    @Test
    void aShardCountsAsBusyUntilBothNodesWereReadTwice() {
        ClientActivity a = new ClientActivity(2);
        assertThat(a.busy(0)).isTrue();
        a.read(0, 100, 0);
        a.read(1, 100, 0);
        a.read(0, 100, S);
        a.read(0, 100, 2 * S);
        assertThat(a.busy(2 * S)).as("the target not yet read twice, however often the source was").isTrue();
        a.read(1, 100, 2 * S);
        assertThat(a.busy(2 * S)).isFalse();
    }

    @Test
    void aFewCommandsASecondAreTheAgentsOwnButTenAreClients() {
        ClientActivity a = new ClientActivity(1);
        a.read(0, 0, 0);
        a.read(0, 3, S); // the agent's own poll and lease
        assertThat(a.busy(S)).isFalse();
        a.read(0, 3 + 10, 2 * S);
        assertThat(a.busy(2 * S)).isTrue();
        assertThat(a.busy(2 * S + ClientActivity.HOLD_NANOS - 1)).as("held a while after the last busy reading").isTrue();
        a.read(0, 13, 2 * S + S / 10);
        assertThat(a.busy(3 * S)).as("a second later with no commands").isFalse();
    }

    @Test
    void aCounterThatWentBackwardsIsTakenForBusy() {
        ClientActivity a = new ClientActivity(1);
        a.read(0, 1_000_000, 0);
        a.read(0, 5, S / 10); // CONFIG RESETSTAT, or a restarted node
        assertThat(a.busy(S / 10)).isTrue();
    }
}
