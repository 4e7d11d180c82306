package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.RedisException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The retry bounds on a clock the test drives: no real sleep. */
class RetryTest {

    private static final HostPort NODE = new HostPort("127.0.0.1", 7001);

    /** A clock that moves only when the retry pauses, and the pauses it was asked for. */
    private final List<Long> pauses = new ArrayList<>();
    private long nanos;

    private final Retry.Pause pause = millis -> {
        pauses.add(millis);
        nanos += millis * 1_000_000;
    };

    @Test
    void retriableErrorsAreRetriedWithDoublingBackoffUntilTheStepSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        String result = Retry.call(10, Duration.ofMinutes(1), () -> {
            if (calls.incrementAndGet() < 5) {
                throw new RedisException.Unavailable(NODE, "CLUSTERDOWN The cluster is down", null);
            }
            return "done";
        }, () -> nanos, pause);

        assertThat(result).isEqualTo("done");
        assertThat(calls).hasValue(5);
        assertThat(pauses).containsExactly(50L, 100L, 200L, 400L);
    }

    @Test
    void theBackoffStopsGrowingAtTwoSecondsAndTheAttemptsBoundTheTries() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> Retry.call(9, Duration.ofMinutes(5), () -> {
            calls.incrementAndGet();
            throw new RedisException.Unavailable(NODE, "Connection refused", null);
        }, () -> nanos, pause)).isInstanceOf(RedisException.Unavailable.class).hasMessageContaining("Connection refused");

        assertThat(calls).hasValue(9);
        assertThat(pauses).containsExactly(50L, 100L, 200L, 400L, 800L, 1600L, 2000L, 2000L);
    }

    @Test
    void aNonRetriableErrorIsThrownAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> Retry.call(10, Duration.ofMinutes(1), () -> {
            calls.incrementAndGet();
            throw new RedisException.AuthFailed(NODE, "NOPERM", null);
        }, () -> nanos, pause)).isInstanceOf(RedisException.AuthFailed.class);

        assertThat(calls).hasValue(1);
        assertThat(pauses).isEmpty();
    }

    @Test
    void noPauseEndsPastTheDeadline() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> Retry.call(100, Duration.ofMillis(1_000), () -> {
            calls.incrementAndGet();
            throw new RedisException.Unavailable(NODE, "LOADING", null);
        }, () -> nanos, pause)).isInstanceOf(RedisException.Unavailable.class);

        // 50 + 100 + 200 + 400 = 750 ms; the next pause (800 ms) would end at 1,550 ms, past the deadline.
        assertThat(pauses).containsExactly(50L, 100L, 200L, 400L);
        assertThat(calls).hasValue(5);
    }

    @Test
    void anInterruptedPauseCancelsTheJobAndKeepsTheInterrupt() {
        Retry.Pause interrupted = millis -> {
            throw new InterruptedException();
        };
        try {
            assertThatThrownBy(() -> Retry.call(10, Duration.ofMinutes(1), () -> {
                throw new RedisException.Unavailable(NODE, "timeout", null);
            }, () -> nanos, interrupted)).isInstanceOf(JobCancelledException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
