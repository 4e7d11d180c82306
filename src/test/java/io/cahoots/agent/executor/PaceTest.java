package io.cahoots.agent.executor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a round added for clients: its duration less the idle round trip, or a longer wait the probe saw. */
class PaceTest {

    private static final long MS = 1_000_000;

    @Test
    void aRoundThatNoPingOverlappedStillCountsItsWholeDuration() {
        // 800 us of MIGRATE between two pings: the probe saw nothing, a client arriving at its start waited it all.
        assertThat(Pace.added(800_000, 0, 100_000)).isEqualTo(700_000);
    }

    @Test
    void aPingThatWaitedLongerThanTheRoundWins() {
        // The shard was slow for more than the round (a target still restoring, a busy machine).
        assertThat(Pace.added(MS, 3 * MS, 100_000)).isEqualTo(3 * MS);
    }

    @Test
    void aRoundFasterThanTheIdleRoundTripAddedNothing() {
        assertThat(Pace.added(90_000, 0, 100_000)).isZero();
    }
}
