package io.cahoots.agent.executor;

import java.util.Optional;

/**
 * Decides which of several agent replicas watching the same cluster may change it. Implemented on the
 * cluster itself (a Redisson lock with a watchdog), so the lease lives and dies with what it protects.
 */
public interface ExecutionLease {

    /**
     * Tries to take the lease for one job without waiting.
     *
     * @return empty when taken; otherwise who holds it
     */
    Optional<String> tryAcquire(String jobId);

    /** Gives the lease back; a no-op when not held. */
    void release(String jobId);

    /** A lease for a single agent: always granted. */
    ExecutionLease LOCAL = new ExecutionLease() {
        @Override
        public Optional<String> tryAcquire(String jobId) {
            return Optional.empty();
        }

        @Override
        public void release(String jobId) {
        }
    };
}
