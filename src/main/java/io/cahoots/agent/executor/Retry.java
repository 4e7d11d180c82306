package io.cahoots.agent.executor;

import io.cahoots.agent.redis.RedisException;

import java.time.Duration;
import java.util.function.Supplier;

/** Retries a step on retriable Redis errors, bounded by attempts and a deadline, with exponential backoff. */
final class Retry {

    private static final long FIRST_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private Retry() {
    }

    static <T> T call(int attempts, Duration deadline, Supplier<T> step) {
        long until = System.nanoTime() + deadline.toNanos();
        long backoff = FIRST_BACKOFF_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                return step.get();
            } catch (RedisException e) {
                if (!e.retriable() || attempt >= attempts || System.nanoTime() + backoff * 1_000_000 > until) {
                    throw e;
                }
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new JobCancelledException("interrupted while retrying");
            }
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
    }
}
