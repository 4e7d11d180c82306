package io.cahoots.agent.executor;

import io.cahoots.agent.lifecycle.Background;
import io.cahoots.agent.metrics.AgentMetrics;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs mutating jobs, one at a time per cluster.
 *
 * <ol>
 *   <li>{@link #start}: refuses with {@link JobConflictException} while a job of this agent runs, or while
 *       another agent holds the {@link ExecutionLease}; otherwise records the job PENDING and hands it to
 *       its own thread. The check and the record happen under one lock, so two requests cannot both pass.</li>
 *   <li>The job thread moves it RUNNING, runs the work with the job id in the logging MDC, and ends it
 *       SUCCEEDED, CANCELLED (the work threw {@link JobCancelledException} at a safe point) or FAILED
 *       (anything else; the message becomes the job's {@code error}). The lease is released last.</li>
 *   <li>While a job runs its progress is logged every {@value #PROGRESS_LOG_SECONDS} s.</li>
 *   <li>Every job is written to the fleet's {@link JobStore} when it starts, changes state, and every second while it
 *       runs, so that every sidecar lists it and shows its live progress; a cancel asked on another sidecar reaches
 *       this one through the store within that second. Jobs of this process are answered from memory (the freshest),
 *       the others from the store.</li>
 * </ol>
 */
@ApplicationScoped
public class JobManager {

    private static final Logger LOG = Logger.getLogger(JobManager.class);
    static final int PROGRESS_LOG_SECONDS = 5;
    private static final int HISTORY = 50;

    /** The work of a job: it reports progress on the job and checks {@link Job#cancelRequested()} at safe points. */
    @FunctionalInterface
    public interface Work {
        void run(Job job) throws Exception;
    }

    private final Clock clock;
    private final AgentMetrics metrics;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    /** Job id -> signal -> action, for signals sent through the store; only the running job's are polled. */
    private final Map<String, Map<String, Runnable>> signalHandlers = new ConcurrentHashMap<>();
    private final ExecutorService runner = Background.cached("job-runner");
    private final ScheduledExecutorService progressLog = Background.scheduler("job-progress");
    private volatile ExecutionLease lease = ExecutionLease.LOCAL;
    private volatile JobJournal journal = JobJournal.NONE;
    private volatile JobStore store = JobStore.NONE;
    private volatile String agentId = "this agent";
    private Job running;

    public JobManager(Clock clock, AgentMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
        progressLog.scheduleAtFixedRate(this::reportProgress, 1, 1, TimeUnit.SECONDS);
    }

    /** Installs the lease, the journal and the job store shared with other agent replicas (the defaults: local only). */
    public void coordinate(ExecutionLease lease, JobJournal journal, JobStore store, String agentId) {
        this.lease = lease;
        this.journal = journal;
        this.store = store;
        this.agentId = agentId;
    }

    public JobJournal journal() {
        return journal;
    }

    /**
     * Shows a job that another run of the agent left unfinished, as INTERRUPTED, in the history; false when the store
     * already has its end (the agent stopped between saying so and closing the journal entry).
     */
    public boolean recordInterrupted(JobJournal.Entry entry, String why) {
        Optional<JobRecord> stored;
        try {
            stored = store.get(entry.id());
        } catch (RuntimeException e) {
            stored = Optional.empty();
        }
        if (stored.isPresent() && stored.get().state().isFinal()) {
            return false;
        }
        Job job = new Job(entry.id(), entry.type(), entry.description() + " (started " + entry.startedAt() + " by "
                + entry.agent() + ")", clock);
        job.moveTo(JobState.RUNNING, null);
        job.moveTo(JobState.INTERRUPTED, why);
        jobs.put(job.id(), job);
        metrics.jobInterrupted(entry.type());
        share(job);
        return true;
    }

    /** @throws JobConflictException while a job of this agent runs */
    public synchronized void requireIdle() {
        if (running != null && !running.state().isFinal()) {
            throw new JobConflictException("job " + running.id() + " (" + running.type() + ") is " + running.state()
                    + ": one mutating job at a time", running.id());
        }
    }

    public synchronized Job start(String type, String description, Work work) {
        requireIdle();
        String id = UUID.randomUUID().toString();
        Optional<String> holder = lease.tryAcquire(id);
        if (holder.isPresent()) {
            throw new JobConflictException("another agent holds the execution lease: " + holder.get(), null);
        }
        Job job = new Job(id, type, description, clock);
        job.runBy(agentId);
        try {
            journal.started(new JobJournal.Entry(id, type, description, agentId, job.createdAt()));
        } catch (RuntimeException e) {
            lease.release(id);
            throw e;
        }
        jobs.put(id, job);
        running = job;
        trimHistory();
        share(job);
        metrics.jobStarted(type);
        runner.submit(() -> execute(job, work));
        return job;
    }

    private void execute(Job job, Work work) {
        MDC.put("job", "job=" + job.id() + " ");
        try {
            job.moveTo(JobState.RUNNING, null);
            share(job);
            LOG.infof("%s started: %s", job.type(), job.description());
            work.run(job);
            job.moveTo(JobState.SUCCEEDED, null);
            LOG.infof("%s succeeded: %s", job.type(), describe(job.progress()));
        } catch (JobCancelledException e) {
            job.moveTo(JobState.CANCELLED, e.getMessage());
            LOG.infof("%s cancelled: %s; %s", job.type(), e.getMessage(), describe(job.progress()));
        } catch (Exception | Error e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            job.moveTo(JobState.FAILED, message);
            LOG.errorf(e, "%s failed: %s", job.type(), message);
        } finally {
            // The store hears of the end before the journal entry closes: a kill in between then leaves an entry that
            // recovery checks (and keeps the stored end), never a job the fleet shows RUNNING with no entry left to
            // recover it.
            share(job);
            try {
                journal.finished(job.id());
            } catch (RuntimeException e) {
                // Left in the journal, the job will be reported INTERRUPTED and the cluster checked by recovery.
                LOG.warn("could not close the job's journal entry", e);
            }
            try {
                lease.release(job.id());
            } catch (RuntimeException e) {
                LOG.warn("could not release the execution lease; it expires by itself", e);
            }
            metrics.jobFinished(job.type(), job.state().name(), job.progress().keysMoved());
            signalHandlers.remove(job.id());
            share(job);
            try {
                store.trim(clock.instant());
            } catch (RuntimeException e) {
                LOG.debugf("could not trim the job store: %s", e.getMessage());
            }
            MDC.remove("job");
        }
    }

    /** A job of this process (the live object), whatever the store says. */
    public Optional<Job> local(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** Any job of the fleet: this process' own from memory, the others as their agent last wrote them. */
    public Optional<JobRecord> get(String id) {
        Job own = jobs.get(id);
        if (own != null) {
            return Optional.of(JobRecord.of(own, agentId));
        }
        return store.get(id);
    }

    /** Every job of the fleet, newest first (this process' own when the store cannot be read). */
    public List<JobRecord> all() {
        Map<String, JobRecord> byId = new java.util.HashMap<>();
        try {
            store.all().forEach(r -> byId.put(r.id(), r));
        } catch (RuntimeException e) {
            LOG.debugf("job store not readable, listing this sidecar's jobs only: %s", e.getMessage());
        }
        jobs.values().forEach(j -> byId.put(j.id(), JobRecord.of(j, agentId)));
        List<JobRecord> list = new ArrayList<>(byId.values());
        list.sort(Comparator.comparing(JobRecord::createdAt).reversed());
        return list;
    }

    /**
     * Asks a job to stop at its next safe point, on whichever sidecar runs it.
     *
     * @return the job as it now stands, empty when unknown
     * @throws JobConflictException when it already ended
     */
    public Optional<JobRecord> cancel(String id) {
        Job own = jobs.get(id);
        if (own != null) {
            if (!own.requestCancel()) {
                throw new JobConflictException("job " + id + " already ended " + own.state(), null);
            }
            share(own);
            return Optional.of(JobRecord.of(own, agentId));
        }
        Optional<JobRecord> stored = store.get(id);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        if (stored.get().state().isFinal()) {
            throw new JobConflictException("job " + id + " already ended " + stored.get().state(), null);
        }
        store.signal(id, JobStore.CANCEL);
        return Optional.of(stored.get().withCancelRequested());
    }

    /**
     * What a job does when another sidecar signals it through the store (e.g. an import's cutover), checked every
     * second while it runs here. Registered by the job's service when it starts the job.
     */
    public void onSignal(String jobId, String signal, Runnable action) {
        signalHandlers.computeIfAbsent(jobId, k -> new ConcurrentHashMap<>()).put(signal, action);
    }

    /** Sends a signal to a job running on another sidecar. */
    public void signal(String jobId, String signal) {
        store.signal(jobId, signal);
    }

    /** Writes the job where the fleet reads it; a store that cannot be reached now gets it on the next tick. */
    private void share(Job job) {
        try {
            store.save(JobRecord.of(job, agentId));
        } catch (RuntimeException e) {
            LOG.debugf("could not write job %s to the job store: %s", job.id(), e.getMessage());
        }
    }

    public synchronized Optional<Job> running() {
        return Optional.ofNullable(running).filter(j -> !j.state().isFinal());
    }

    private void trimHistory() {
        List<Job> list = new ArrayList<>(jobs.values());
        list.sort(Comparator.comparing(Job::createdAt).reversed());
        for (int i = HISTORY; i < list.size(); i++) {
            if (list.get(i).state().isFinal()) {
                jobs.remove(list.get(i).id());
            }
        }
    }

    private long ticks;

    /**
     * Every second: progress to the metrics and the job store, and a cancel asked on another sidecar to the job;
     * every {@value #PROGRESS_LOG_SECONDS} s: progress to the log.
     */
    private void reportProgress() {
        Optional<Job> job = running().filter(j -> j.state() == JobState.RUNNING);
        job.ifPresent(this::share);
        job.ifPresent(this::receiveSignals);
        JobProgress p = job.map(Job::progress).orElse(null);
        metrics.jobProgress(p != null, p == null ? 0 : p.slotsDone(), p == null ? 0 : p.slotsTotal(),
                p == null ? 0 : p.keysMoved());
        metrics.migrationPace(p == null ? 0 : p.batchKeys(), p == null ? 0 : p.observedLatencyMillis() / 1000,
                p == null ? 0 : p.latencyBudgetMillis() / 1000);
        if (job.isPresent() && ++ticks % PROGRESS_LOG_SECONDS == 0) {
            Job j = job.get();
            MDC.put("job", "job=" + j.id() + " ");
            LOG.infof("%s progress: %s", j.type(), describe(j.progress()));
            MDC.remove("job");
        }
    }

    /** Signals sent through the store by other sidecars: a cancel, and what the job's service registered. */
    private void receiveSignals(Job j) {
        try {
            if (!j.cancelRequested() && store.signalled(j.id(), JobStore.CANCEL) && j.requestCancel()) {
                LOG.infof("job %s: cancel asked through another sidecar", j.id());
            }
            Map<String, Runnable> handlers = signalHandlers.getOrDefault(j.id(), Map.of());
            for (Map.Entry<String, Runnable> h : handlers.entrySet()) {
                if (store.signalled(j.id(), h.getKey())) {
                    handlers.remove(h.getKey()); // once
                    LOG.infof("job %s: %s asked through another sidecar", j.id(), h.getKey());
                    h.getValue().run();
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf("cannot read the job's signals: %s", e.getMessage());
        }
    }

    static String describe(JobProgress p) {
        String pace = p.batchKeys() == 0 ? "" : String.format(", now %.0f keys/s in rounds of %d keys adding %.2f ms (budget %s)",
                p.currentKeysPerSecond(), p.batchKeys(), p.observedLatencyMillis(),
                p.latencyBudgetMillis() == 0 ? "none" : String.format("%.2f ms", p.latencyBudgetMillis()));
        return String.format("%d/%d slots, %d keys moved, %.0f keys/s, eta %ss%s", p.slotsDone(), p.slotsTotal(),
                p.keysMoved(), p.keysPerSecond(), p.etaSeconds() < 0 ? "?" : Long.toString(p.etaSeconds()), pace);
    }

    void stop(@Observes ShutdownEvent event) {
        progressLog.shutdownNow();
        running().ifPresent(Job::requestCancel);
        runner.shutdown();
    }
}
