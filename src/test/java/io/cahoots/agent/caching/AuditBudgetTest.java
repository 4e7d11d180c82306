package io.cahoots.agent.caching;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class AuditBudgetTest {

    @Test
    void sharesAddUpToTheBudgetExactlyAndDifferByAtMostOne() {
        Random r = new Random(7);
        for (int i = 0; i < 2000; i++) {
            int budget = r.nextInt(10_000);
            int patterns = 1 + r.nextInt(12);
            int[] s = AuditBudget.shares(budget, patterns, r.nextInt(100));
            assertThat(Arrays.stream(s).sum()).isEqualTo(budget);
            assertThat(Arrays.stream(s).max().getAsInt() - Arrays.stream(s).min().getAsInt()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void aBudgetBelowThePatternCountServesEveryPatternInTurn() {
        int[] seen = new int[3];
        for (int cycle = 0; cycle < 3; cycle++) {
            int[] s = AuditBudget.shares(1, 3, cycle);
            assertThat(Arrays.stream(s).sum()).isEqualTo(1);
            for (int i = 0; i < 3; i++) {
                seen[i] += s[i];
            }
        }
        assertThat(seen).containsExactly(1, 1, 1);
    }

    @Test
    void scanCountsNeverExceedTheBatchOrWhatIsLeft() {
        assertThat(AuditBudget.nextCount(1000)).isEqualTo(AuditBudget.SCAN_BATCH);
        assertThat(AuditBudget.nextCount(33)).isEqualTo(33);
        assertThat(AuditBudget.nextCount(1)).isEqualTo(1);
    }

    @Test
    void verdictsFollowTtlsReplies() {
        assertThat(TtlVerdict.of(-1, 60)).isEqualTo(TtlVerdict.NO_TTL);
        assertThat(TtlVerdict.of(-2, 60)).isEqualTo(TtlVerdict.GONE);
        assertThat(TtlVerdict.of(61, 60)).isEqualTo(TtlVerdict.BEYOND);
        assertThat(TtlVerdict.of(60, 60)).isEqualTo(TtlVerdict.WITHIN);
        assertThat(TtlVerdict.of(0, 60)).isEqualTo(TtlVerdict.WITHIN);
        assertThat(TtlVerdict.GONE.violation()).isFalse();
        assertThat(TtlVerdict.BEYOND.violation()).isTrue();
    }
}
