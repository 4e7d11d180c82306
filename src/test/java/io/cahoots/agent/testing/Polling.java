package io.cahoots.agent.testing;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Awaitility as the tests' polling loops use it: the condition is checked at once, then every {@code every}, for at
 * most {@code timeout}; an exception the condition throws (an {@code AssertionError} saying the wait is hopeless, an
 * I/O error) ends the wait at once; on a timeout the caller's message, built then, with the diagnostics it gathers.
 */
public final class Polling {

    private Polling() {
    }

    /**
     * Awaitility with those settings. It leaves uncaught exceptions of other threads alone (Awaitility would fail the
     * wait on them by default): a test's background threads report their own failures.
     */
    public static ConditionFactory poll(Duration timeout, Duration every) {
        return Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(every)
                .dontCatchUncaughtExceptions();
    }

    /** Waits until {@code condition} holds; on a timeout an AssertionError with {@code failure}'s message. */
    public static void until(Duration timeout, Duration every, Callable<Boolean> condition, Supplier<String> failure) {
        try {
            poll(timeout, every).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(failure.get(), e);
        }
    }

    /** Reads until a reading is {@code done} and returns it; on a timeout an AssertionError with {@code failure}'s message. */
    public static <T> T until(Duration timeout, Duration every, Callable<T> read, Predicate<? super T> done,
                              Supplier<String> failure) {
        try {
            return poll(timeout, every).until(read, done);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(failure.get(), e);
        }
    }
}
