package io.cahoots.agent.executor;

import java.time.Instant;
import java.util.List;

/**
 * Where running jobs are written down so that they outlive the agent. Kept on the cluster itself (see
 * {@code RedissonJournal}): a replica that takes over the lease after a crash reads the same journal.
 */
public interface JobJournal {

    /** A job as the journal keeps it. */
    record Entry(String id, String type, String description, String agent, Instant startedAt) {
    }

    void started(Entry entry);

    void finished(String id);

    List<Entry> unfinished();

    /** For a single agent without a cluster: remembers nothing across restarts. */
    JobJournal NONE = new JobJournal() {
        @Override
        public void started(Entry entry) {
        }

        @Override
        public void finished(String id) {
        }

        @Override
        public List<Entry> unfinished() {
            return List.of();
        }
    };
}
