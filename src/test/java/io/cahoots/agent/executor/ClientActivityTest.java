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
    void aShardCountsAsBusyUntilBothNodesWereReadOverAWholeWindow() {
        ClientActivity a = new ClientActivity(2);
        assertThat(a.busy(0)).isTrue();
        a.read(0, 100, 0);
        a.read(1, 100, 0);
        a.read(0, 100, S / 10);
        a.read(1, 100, S / 10);
        assertThat(a.busy(S / 10)).as("read twice, but over 100 ms only").isTrue();
        a.read(0, 100, S);
        a.read(0, 100, 2 * S);
        assertThat(a.busy(2 * S)).as("the target not yet read over a window, however often the source was").isTrue();
        a.read(1, 100, 2 * S);
        assertThat(a.busy(2 * S)).isFalse();
    }

    @Test
    void theAgentsOwnBurstsAreNotClientsButSixtyCommandsASecondAre() {
        ClientActivity a = new ClientActivity(1);
        long calls = 0;
        long t = 0;
        // Ten seconds of readings every 100 ms; each second the agent's own burst of 20 commands (job progress and
        // signals, poll, lease, topology version and message) lands between two readings: 200 a second over those
        // 100 ms, 20 over the second.
        for (int i = 0; i <= 100; i++, t += S / 10) {
            if (i % 10 == 5) {
                calls += 20;
            }
            a.read(0, calls, t);
            if (t >= S) {
                assertThat(a.busy(t)).as("at %d ms", t / 1_000_000).isFalse();
            }
        }
        // A light client, 6 commands every 100 ms (60 a second): busy once the window holds it, within a second.
        long started = t;
        for (int i = 0; i < 20; i++) {
            t += S / 10;
            calls += 6;
            a.read(0, calls, t);
            if (t - started >= S) {
                assertThat(a.busy(t)).as("at %d ms", t / 1_000_000).isTrue();
            }
        }
        // It stops: busy until the window no longer holds its commands, then for the hold.
        long stopped = t;
        for (int i = 0; i < 30; i++) {
            t += S / 10;
            a.read(0, calls, t);
        }
        assertThat(a.busy(t)).as("three seconds after the client stopped").isFalse();
        assertThat(t - stopped).isGreaterThan(ClientActivity.WINDOW_NANOS + ClientActivity.HOLD_NANOS);
    }

    @Test
    void anApplicationsLoadIsSeenAtTheFirstReading() {
        ClientActivity a = new ClientActivity(1);
        for (long t = 0; t <= 2 * S; t += S / 10) {
            a.read(0, 0, t);
        }
        assertThat(a.busy(2 * S)).isFalse();
        a.read(0, 1_000, 2 * S + S / 10); // 10,000 a second for 100 ms
        assertThat(a.busy(2 * S + S / 10)).isTrue();
    }

    @Test
    void aCounterThatWentBackwardsIsTakenForBusy() {
        ClientActivity a = new ClientActivity(1);
        a.read(0, 1_000_000, 0);
        a.read(0, 5, S / 10); // CONFIG RESETSTAT, or a restarted node
        assertThat(a.busy(S / 10)).isTrue();
    }
}
