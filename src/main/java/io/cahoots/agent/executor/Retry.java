package io.cahoots.agent.executor;

import io.cahoots.agent.redis.RedisException;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Retries a step on retriable Redis errors, bounded by attempts and a deadline, with exponential backoff
 * (50 ms doubling to 2 s). A non-retriable error, the last attempt, or a backoff that would end past the
 * deadline throws the step's own error.
 */
final class Retry {

    static final long FIRST_BACKOFF_MILLIS = 50;
    static final long MAX_BACKOFF_MILLIS = 2_000;

    /** How a retry waits; tests pass one that records and advances their own clock. */
    interface Pause {
        void sleep(long millis) throws InterruptedException;
    }

    private Retry() {
    }

    static <T> T call(int attempts, Duration deadline, Supplier<T> step) {
        return call(attempts, deadline, step, System::nanoTime, Thread::sleep);
    }

    static <T> T call(int attempts, Duration deadline, Supplier<T> step, LongSupplier nanoTime, Pause pause) {
        long until = nanoTime.getAsLong() + deadline.toNanos();
        long backoff = FIRST_BACKOFF_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                return step.get();
            } catch (RedisException e) {
                if (!e.retriable() || attempt >= attempts || nanoTime.getAsLong() + backoff * 1_000_000 > until) {
                    throw e;
                }
            }
            try {
                pause.sleep(backoff);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new JobCancelledException("interrupted while retrying");
            }
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
    }
}
