package io.cahoots.agent.executor;

import java.util.List;
import java.util.Optional;

/**
 * Where jobs are kept so that every sidecar of the fleet answers the same about them (see {@code RedissonJobStore}):
 * the running one is written by its agent as it progresses, finished ones stay for a bounded time and count.
 */
public interface JobStore {

    /** At most this many finished jobs are kept, and none longer than {@link #KEEP_DAYS} days. */
    int KEEP_FINISHED = 100;
    int KEEP_DAYS = 7;

    void save(JobRecord job);

    Optional<JobRecord> get(String id);

    /** Every kept job, in no particular order. */
    List<JobRecord> all();

    /** Asks the agent running the job to stop it at its next safe point. */
    void requestCancel(String id);

    boolean cancelRequested(String id);

    /** Drops finished jobs beyond {@link #KEEP_FINISHED} and older than {@link #KEEP_DAYS} days. */
    void trim(java.time.Instant now);

    /** A single agent's: nothing shared. */
    JobStore NONE = new JobStore() {
        @Override
        public void save(JobRecord job) {
        }

        @Override
        public Optional<JobRecord> get(String id) {
            return Optional.empty();
        }

        @Override
        public List<JobRecord> all() {
            return List.of();
        }

        @Override
        public void requestCancel(String id) {
        }

        @Override
        public boolean cancelRequested(String id) {
            return false;
        }

        @Override
        public void trim(java.time.Instant now) {
        }
    };
}
