package io.cahoots.agent.executor;

import io.cahoots.agent.metrics.AgentMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** One job at a time, the state table, and what the lease and the journal see: no Redis involved. */
class JobManagerTest {

    private final JobManager jobs = new JobManager(Clock.systemUTC(), new AgentMetrics(new SimpleMeterRegistry()));
    private final RecordingLease lease = new RecordingLease();
    private final RecordingJournal journal = new RecordingJournal();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void letGo() {
        release.countDown();
    }

    @Test
    void aSecondJobWhileOneRunsIsRefusedNamingTheRunningOne() throws Exception {
        jobs.coordinate(lease, journal, JobStore.NONE, "agent-a");
        Job first = jobs.start("rebalance", "first", job -> release.await(10, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(5)).until(() -> first.state() == JobState.RUNNING);

        assertThatThrownBy(() -> jobs.start("fix", "second", job -> { }))
                .isInstanceOf(JobConflictException.class).hasMessageContaining(first.id()).hasMessageContaining("rebalance");
        assertThat(journal.started).containsExactly(first.id());

        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> first.state() == JobState.SUCCEEDED);
        Job second = jobs.start("fix", "second", job -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> second.state() == JobState.SUCCEEDED);
    }

    @Test
    void aJobEndsSucceededFailedOrCancelledAndAlwaysGivesTheLeaseAndJournalEntryBack() {
        jobs.coordinate(lease, journal, JobStore.NONE, "agent-a");
        Job ok = runToEnd("ok", job -> job.plan(3, 10));
        Job failed = runToEnd("failed", job -> {
            throw new MigrationException("slot 7 127.0.0.1:1 -> 127.0.0.1:2: BUSYKEY", null);
        });
        Job cancelled = runToEnd("cancelled", job -> {
            throw new JobCancelledException("cancelled after 2 of 5 moves");
        });

        assertThat(ok.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(ok.agent()).contains("agent-a");
        assertThat(ok.error()).isEmpty();
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error()).contains("slot 7 127.0.0.1:1 -> 127.0.0.1:2: BUSYKEY");
        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelled.error()).contains("cancelled after 2 of 5 moves");
        assertThat(lease.released).containsExactly(ok.id(), failed.id(), cancelled.id());
        assertThat(journal.finished).containsExactly(ok.id(), failed.id(), cancelled.id());
    }

    @Test
    void anotherAgentsLeaseRefusesTheJobBeforeAnythingIsWritten() {
        lease.holder = Optional.of("agent-b (job 42)");
        jobs.coordinate(lease, journal, JobStore.NONE, "agent-a");

        assertThatThrownBy(() -> jobs.start("rebalance", "x", job -> { }))
                .isInstanceOf(JobConflictException.class).hasMessageContaining("agent-b (job 42)");
        assertThat(journal.started).isEmpty();
        assertThat(jobs.all()).isEmpty();
    }

    @Test
    void aJournalThatCannotWriteRefusesTheJobAndGivesTheLeaseBack() {
        journal.failOnStart = true;
        jobs.coordinate(lease, journal, JobStore.NONE, "agent-a");

        assertThatThrownBy(() -> jobs.start("rebalance", "x", job -> { })).hasMessageContaining("journal unavailable");
        assertThat(lease.acquired).hasSize(1);
        assertThat(lease.released).isEqualTo(lease.acquired);
        assertThat(jobs.all()).isEmpty();
        // Nothing is left running: the next job may start once the journal answers again.
        journal.failOnStart = false;
        Job next = runToEnd("next", job -> { });
        assertThat(next.state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void theStoreHearsOfTheEndBeforeTheJournalEntryCloses() {
        // CrashRecoveryIT once killed an agent between the two: with the journal closed first, the fleet showed the
        // job RUNNING for ever, with no journal entry left for recovery to close it.
        MapStore store = new MapStore();
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        store.onSave = r -> { if (r.state().isFinal()) order.add("store " + r.state()); };
        journal.onFinished = id -> order.add("journal closed");
        jobs.coordinate(lease, journal, store, "agent-a");
        Job ok = runToEnd("ok", job -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> order.contains("journal closed"));
        assertThat(order.get(0)).isEqualTo("store SUCCEEDED");
        assertThat(order).containsSubsequence("store SUCCEEDED", "journal closed");
        assertThat(store.get(ok.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void recoveryKeepsAnEndTheStoreAlreadyHasAndInterruptsTheRest() {
        MapStore store = new MapStore();
        jobs.coordinate(lease, journal, store, "agent-a");
        Job ended = runToEnd("ended", job -> { });
        java.time.Instant t = java.time.Instant.now();

        // An entry whose job the store shows ended (the agent stopped before closing the entry): kept as it is.
        assertThat(jobs.recordInterrupted(new JobJournal.Entry(ended.id(), "test", "ended", "agent-a", t), "stopped")).isFalse();
        assertThat(store.get(ended.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        // An entry the store knows nothing (or RUNNING) of: INTERRUPTED.
        assertThat(jobs.recordInterrupted(new JobJournal.Entry("gone", "rebalance", "x", "agent-b", t), "stopped")).isTrue();
        assertThat(store.get("gone").orElseThrow().state()).isEqualTo(JobState.INTERRUPTED);
    }

    @Test
    void theStateTableAllowsOnlyForwardMoves() {
        for (JobState from : JobState.values()) {
            for (JobState to : JobState.values()) {
                boolean expected = switch (from) {
                    case PENDING -> to == JobState.RUNNING || to == JobState.FAILED || to == JobState.CANCELLED;
                    case RUNNING -> to == JobState.SUCCEEDED || to == JobState.FAILED || to == JobState.CANCELLED
                            || to == JobState.INTERRUPTED;
                    default -> false;
                };
                assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(expected);
            }
            assertThat(from.isFinal()).as(from.name()).isEqualTo(from.next().isEmpty());
        }
    }

    private Job runToEnd(String description, JobManager.Work work) {
        Job job = jobs.start("test", description, work);
        await().atMost(Duration.ofSeconds(5)).until(() -> job.state().isFinal());
        // The lease and the journal are given back after the state is final.
        await().atMost(Duration.ofSeconds(5)).until(() -> lease.released.contains(job.id()));
        return job;
    }

    private static final class RecordingLease implements ExecutionLease {
        final List<String> acquired = new ArrayList<>();
        final List<String> released = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile Optional<String> holder = Optional.empty();

        @Override
        public synchronized Optional<String> tryAcquire(String jobId) {
            if (holder.isEmpty()) {
                acquired.add(jobId);
            }
            return holder;
        }

        @Override
        public void release(String jobId) {
            released.add(jobId);
        }
    }

    private static final class RecordingJournal implements JobJournal {
        final List<String> started = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> finished = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile boolean failOnStart;
        volatile java.util.function.Consumer<String> onFinished = id -> { };

        @Override
        public void started(Entry entry) {
            if (failOnStart) {
                throw new IllegalStateException("journal unavailable");
            }
            started.add(entry.id());
        }

        @Override
        public void finished(String id) {
            onFinished.accept(id);
            finished.add(id);
        }

        @Override
        public List<Entry> unfinished() {
            return List.of();
        }
    }

    /** A job store in memory, as the fleet's would keep the records. */
    private static final class MapStore implements JobStore {
        final java.util.Map<String, JobRecord> records = new java.util.concurrent.ConcurrentHashMap<>();
        volatile java.util.function.Consumer<JobRecord> onSave = r -> { };

        @Override
        public void save(JobRecord job) {
            onSave.accept(job);
            records.put(job.id(), job);
        }

        @Override
        public Optional<JobRecord> get(String id) {
            return Optional.ofNullable(records.get(id));
        }

        @Override
        public List<JobRecord> all() {
            return List.copyOf(records.values());
        }

        @Override
        public void signal(String id, String signal) {
        }

        @Override
        public boolean signalled(String id, String signal) {
            return false;
        }

        @Override
        public void trim(java.time.Instant now) {
        }
    }
}
