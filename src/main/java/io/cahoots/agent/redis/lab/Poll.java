package io.cahoots.agent.redis.lab;

import java.time.Duration;
import java.util.function.Supplier;

/** Bounded polling: every wait in the lab ends with a LabException naming what was still wrong. */
final class Poll {

    private Poll() {
    }

    /**
     * Calls {@code problem} until it returns null (= condition reached). Exceptions count as "not yet" so that
     * transient connection errors during start-up do not abort the wait.
     */
    static void until(String goal, Duration timeout, long intervalMillis, Supplier<String> problem) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last;
        while (true) {
            try {
                last = problem.get();
            } catch (LabException e) {
                throw e;
            } catch (RuntimeException e) {
                last = e.toString();
            }
            if (last == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new LabException(goal + " not reached within " + timeout.toMillis() + " ms: " + last);
            }
            Procs.sleep(intervalMillis);
        }
    }
}
