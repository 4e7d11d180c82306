package io.cahoots.agent.executor;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The idle round trip a round's duration is measured against. */
class IdleRoundTripTest {

    @Test
    void noBaselineUntilEnoughReadingsCameSoASlowFirstPingDoesNotMakeRoundsLookFree() {
        IdleRoundTrip idle = new IdleRoundTrip();
        idle.add(12_000_000); // a new connection's first ping
        for (int i = 1; i < IdleRoundTrip.FIRST_ESTIMATE - 1; i++) {
            idle.add(50_000);
        }
        assertThat(idle.nanos()).isZero();
        idle.add(50_000);
        assertThat(idle.nanos()).isEqualTo(50_000);
    }

    @Test
    void onABusyMachineItIsTheTypicalRoundTripNotTheLuckiestOne() {
        // Seeded: mostly 200-400 us, one in twenty 40 us (a lucky schedule), one in ten 2-20 ms (an unlucky one).
        Random random = new Random(7);
        IdleRoundTrip idle = new IdleRoundTrip();
        for (int i = 0; i < 1_000; i++) {
            int dice = random.nextInt(20);
            idle.add(dice == 0 ? 40_000 : dice < 3 ? 2_000_000 + random.nextInt(18_000_000) : 200_000 + random.nextInt(200_000));
        }
        assertThat(idle.nanos()).isBetween(200_000L, 400_000L);
    }

    @Test
    void itFollowsTheLastReadingsOnly() {
        IdleRoundTrip idle = new IdleRoundTrip();
        for (int i = 0; i < IdleRoundTrip.SAMPLES; i++) {
            idle.add(900_000);
        }
        assertThat(idle.nanos()).isEqualTo(900_000);
        for (int i = 0; i < IdleRoundTrip.SAMPLES / 2 + 1; i++) {
            idle.add(60_000);
        }
        assertThat(idle.nanos()).isEqualTo(60_000);
    }
}
