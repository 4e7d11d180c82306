package io.cahoots.agent.executor;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The AIMD pace of a move on scripted latency readings (seeded, so a failure replays). */
class BatchControllerTest {

    private static final long MS = 1_000_000;
    private static final int CAP = 128_000;

    /** A shard where each key of a round adds {@code nanosPerKey} for a client, plus seeded noise up to {@code noise}. */
    private static long shard(int keys, long nanosPerKey, long noise, Random random) {
        return keys * nanosPerKey + (noise == 0 ? 0 : (long) (random.nextDouble() * noise));
    }

    @Test
    void withoutABudgetEveryRoundIsAsBigAsTheCapWhateverTheLatency() {
        BatchController c = new BatchController(CAP, 0);
        for (int i = 0; i < 20; i++) {
            assertThat(c.limit()).isEqualTo(CAP);
            c.observe(500 * MS, c.limit());
        }
        assertThat(c.pauseNanos()).isZero();
    }

    @Test
    void onAQuietShardItGrowsToTheCapQuickly() {
        BatchController c = new BatchController(CAP, 2 * MS);
        int rounds = 0;
        while (c.limit() < CAP && rounds < 100) {
            c.observe(0, c.limit());
            rounds++;
        }
        // Slow start: 64 -> 128 000 in 11 doublings.
        assertThat(c.limit()).isEqualTo(CAP);
        assertThat(rounds).isLessThanOrEqualTo(11);
    }

    @Test
    void itConvergesOnTheSizeTheBudgetAllows() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            // 10 us per key and a 1 ms budget: 100 keys per round fit, noise of up to 0.2 ms on top.
            BatchController c = new BatchController(CAP, MS);
            long sum = 0;
            int over = 0;
            for (int i = 0; i < 400; i++) {
                int keys = c.limit();
                long added = shard(keys, 10_000, MS / 5, random);
                c.observe(added, keys);
                if (i >= 200) {
                    sum += keys;
                    over += added > MS ? 1 : 0;
                }
            }
            double mean = sum / 200.0;
            assertThat(mean).as("seed %d", seed).isBetween(40.0, 100.0);
            assertThat(over).as("rounds over budget, seed %d", seed).isLessThan(200 / 4);
        }
    }

    @Test
    void aLoneSpikeKeepsTheSizeTwoOutOfThreeHalveItAndTheSizeComesBackAfterwards() {
        BatchController c = new BatchController(CAP, 2 * MS);
        for (int i = 0; i < 8; i++) {
            c.observe(0, c.limit());
        }
        int before = c.limit();
        c.observe(30 * MS, before);
        assertThat(c.limit()).as("one slow round: the machine's noise as much as ours").isEqualTo(before);
        c.observe(3 * MS / 2, before); // under budget, over half of it: the size stays
        c.observe(30 * MS, before);
        assertThat(c.limit()).as("two of the last three").isEqualTo(before / 2);
        c.observe(30 * MS, c.limit());
        c.observe(30 * MS, c.limit());
        assertThat(c.limit()).isEqualTo(before / 4);
        // Quiet again: additive growth (an eighth per round) brings it back, without overshooting the cap.
        int rounds = 0;
        while (c.limit() < before && rounds < 100) {
            c.observe(MS / 4, c.limit());
            rounds++;
        }
        assertThat(c.limit()).isGreaterThanOrEqualTo(before);
        assertThat(rounds).isBetween(5, 30);
    }

    @Test
    void spikesThatComeWhateverTheSizeDoNotHoldRoundsToAFewKeys() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            // 10 us per key and a 1 ms budget (100 keys fit), and one round in eight twice the budget whatever its
            // size: a busy machine's scheduling, not the round's keys.
            BatchController c = new BatchController(CAP, MS);
            long sum = 0;
            for (int i = 0; i < 400; i++) {
                int keys = c.limit();
                long added = random.nextInt(8) == 0 ? 2 * MS : shard(keys, 10_000, MS / 10, random);
                c.observe(added, keys);
                if (i >= 200) {
                    sum += keys;
                }
            }
            assertThat(sum / 200.0).as("seed %d", seed).isBetween(40.0, 110.0);
        }
    }

    @Test
    void neverBelowOneKeyNorAboveTheCapAndPausesWhenOneKeyIsTooMuch() {
        Random random = new Random(42);
        BatchController c = new BatchController(500, MS);
        for (int i = 0; i < 5_000; i++) {
            int keys = c.limit();
            // Phases: a shard slow whatever we do, then quiet, then noisy.
            long added = switch ((i / 500) % 3) {
                case 0 -> 20 * MS;
                case 1 -> 0;
                default -> (long) (random.nextDouble() * 3 * MS);
            };
            c.observe(added, keys);
            assertThat(c.limit()).isBetween(1, 500);
            assertThat(c.pauseNanos()).isBetween(0L, BatchController.MAX_PAUSE_NANOS);
            if (i % 1500 == 499) {
                // End of a slow phase: one key per round, waiting the longest pause between rounds.
                assertThat(c.limit()).isEqualTo(1);
                assertThat(c.pauseNanos()).isEqualTo(BatchController.MAX_PAUSE_NANOS);
            }
            if (i % 1500 == 999) {
                assertThat(c.limit()).isEqualTo(500);
                assertThat(c.pauseNanos()).isZero();
            }
        }
    }

    @Test
    void aRoundCutShortByAnEmptySlotDoesNotGrowTheLimit() {
        BatchController c = new BatchController(CAP, 2 * MS);
        int limit = c.limit();
        c.observe(0, limit / 3);
        assertThat(c.limit()).isEqualTo(limit);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> new BatchController(0, MS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BatchController(10, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutClientsTheBudgetStepsAsideAndWhenTheyComeBackItStartsGentlyAgain() {
        BatchController c = new BatchController(CAP, MS);
        c.observe(10 * MS, c.limit(), true); // over budget twice: halved
        c.observe(10 * MS, c.limit(), true);
        assertThat(c.limit()).isEqualTo(BatchController.INITIAL / 2);
        c.observe(50 * MS, c.limit(), false); // nobody to protect: full rounds, however long
        assertThat(c.limit()).isEqualTo(CAP);
        c.observe(50 * MS, c.limit(), false);
        assertThat(c.limit()).isEqualTo(CAP);
        assertThat(c.pauseNanos()).isZero();
        c.observe(50 * MS, c.limit(), true); // clients again: the big round's reading is not held against them
        assertThat(c.limit()).isEqualTo(BatchController.INITIAL);
        c.observe(0, c.limit(), true);
        assertThat(c.limit()).isEqualTo(2 * BatchController.INITIAL);
    }
}
