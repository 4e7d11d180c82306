package io.cahoots.agent.importer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeLogTest {

    private static final long S = 1_000_000_000L;

    private static byte[] k(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> text(List<byte[]> keys) {
        return keys.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aKeyChangedTwiceIsCopiedOnceAndKeepsItsFirstSeenTime() {
        ChangeLog log = new ChangeLog(30 * S, 100);
        log.add(k("a"), 0);
        log.add(k("b"), S);
        log.add(k("a"), 2 * S);
        assertThat(log.lag(3 * S)).isEqualTo(new ChangeLog.Lag(2, 3.0));
        assertThat(text(log.drain(10))).containsExactly("a", "b");
        assertThat(log.lag(3 * S)).isEqualTo(new ChangeLog.Lag(0, 0));
        assertThat(log.added()).isEqualTo(3);
    }

    @Test
    void drainIsOldestFirstAndBounded() {
        ChangeLog log = new ChangeLog(30 * S, 100);
        for (int i = 0; i < 5; i++) {
            log.add(k("k" + i), i * S);
        }
        assertThat(text(log.drain(2))).containsExactly("k0", "k1");
        assertThat(log.lag(10 * S)).isEqualTo(new ChangeLog.Lag(3, 8.0));
    }

    @Test
    void aChangeAfterTheDrainIsQueuedAgain() {
        ChangeLog log = new ChangeLog(30 * S, 100);
        log.add(k("a"), 0);
        log.drain(10);
        log.add(k("a"), S); // written again while its copy was in flight
        assertThat(text(log.drain(10))).containsExactly("a");
    }

    @Test
    void afterAFailoverTheRecentlyChangedKeysAreQueuedAgainWithinTheWindowAndBound() {
        ChangeLog log = new ChangeLog(10 * S, 3);
        log.add(k("old"), 0);
        log.add(k("a"), 20 * S);
        log.add(k("b"), 21 * S);
        log.add(k("c"), 22 * S);
        log.add(k("d"), 23 * S); // bound 3: a is forgotten
        log.drain(100);
        assertThat(log.requeueRecent(25 * S)).isEqualTo(3);
        assertThat(text(log.drain(100))).containsExactly("b", "c", "d");
    }

    @Test
    void nearZeroNeedsFewKeysAndFreshChanges() {
        assertThat(new ChangeLog.Lag(5, 0.2).nearZero(10, 1)).isTrue();
        assertThat(new ChangeLog.Lag(11, 0.2).nearZero(10, 1)).isFalse();
        assertThat(new ChangeLog.Lag(1, 3).nearZero(10, 1)).isFalse();
    }
}
