package io.cahoots.agent.executor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a round added for clients: its duration less two idle round trips, or a longer wait the probe saw. */
class PaceTest {

    private static final long MS = 1_000_000;

    @Test
    void aRoundThatNoPingOverlappedStillCountsItsWholeDurationBeyondTheTwoRoundTripsAnyMigrateHas() {
        // 800 us of MIGRATE between two pings: the probe saw nothing, a client arriving at its start waited all of it
        // but the agent's round trip to the source and the source's to the target (100 us each here).
        assertThat(Pace.added(800_000, 0, 100_000)).isEqualTo(600_000);
    }

    @Test
    void aPingThatWaitedLongerThanTheRoundWins() {
        // The shard was slow for more than the round (a target still restoring, a busy machine).
        assertThat(Pace.added(MS, 3 * MS, 100_000)).isEqualTo(3 * MS);
    }

    @Test
    void aRoundFasterThanTwoIdleRoundTripsAddedNothing() {
        assertThat(Pace.added(190_000, 0, 100_000)).isZero();
    }
}
