package io.cahoots.agent.executor;

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
import java.util.concurrent.Executors;
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
    private final ExecutorService runner = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "job-runner");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService progressLog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "job-progress");
        t.setDaemon(true);
        return t;
    });
    private volatile ExecutionLease lease = ExecutionLease.LOCAL;
    private volatile JobJournal journal = JobJournal.NONE;
    private volatile String agentId = "this agent";
    private Job running;

    public JobManager(Clock clock, AgentMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
        progressLog.scheduleAtFixedRate(this::reportProgress, 1, 1, TimeUnit.SECONDS);
    }

    /** Installs the lease and the journal shared with other agent replicas (the defaults: local only). */
    public void coordinate(ExecutionLease lease, JobJournal journal, String agentId) {
        this.lease = lease;
        this.journal = journal;
        this.agentId = agentId;
    }

    public JobJournal journal() {
        return journal;
    }

    /** Shows a job that another run of the agent left unfinished, as INTERRUPTED, in the history. */
    public void recordInterrupted(JobJournal.Entry entry, String why) {
        Job job = new Job(entry.id(), entry.type(), entry.description() + " (started " + entry.startedAt() + " by "
                + entry.agent() + ")", clock);
        job.moveTo(JobState.RUNNING, null);
        job.moveTo(JobState.INTERRUPTED, why);
        jobs.put(job.id(), job);
        metrics.jobInterrupted(entry.type());
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
        try {
            journal.started(new JobJournal.Entry(id, type, description, agentId, job.createdAt()));
        } catch (RuntimeException e) {
            lease.release(id);
            throw e;
        }
        jobs.put(id, job);
        running = job;
        trimHistory();
        metrics.jobStarted(type);
        runner.submit(() -> execute(job, work));
        return job;
    }

    private void execute(Job job, Work work) {
        MDC.put("job", "job=" + job.id() + " ");
        try {
            job.moveTo(JobState.RUNNING, null);
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
            MDC.remove("job");
        }
    }

    public Optional<Job> get(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** Newest first. */
    public List<Job> all() {
        List<Job> list = new ArrayList<>(jobs.values());
        list.sort(Comparator.comparing(Job::createdAt).reversed());
        return list;
    }

    public synchronized Optional<Job> running() {
        return Optional.ofNullable(running).filter(j -> !j.state().isFinal());
    }

    private void trimHistory() {
        List<Job> list = all();
        for (int i = HISTORY; i < list.size(); i++) {
            if (list.get(i).state().isFinal()) {
                jobs.remove(list.get(i).id());
            }
        }
    }

    private long ticks;

    /** Every second: progress to the metrics; every {@value #PROGRESS_LOG_SECONDS} s: to the log. */
    private void reportProgress() {
        Optional<Job> job = running().filter(j -> j.state() == JobState.RUNNING);
        JobProgress p = job.map(Job::progress).orElse(null);
        metrics.jobProgress(p != null, p == null ? 0 : p.slotsDone(), p == null ? 0 : p.slotsTotal(),
                p == null ? 0 : p.keysMoved());
        if (job.isPresent() && ++ticks % PROGRESS_LOG_SECONDS == 0) {
            Job j = job.get();
            MDC.put("job", "job=" + j.id() + " ");
            LOG.infof("%s progress: %s", j.type(), describe(j.progress()));
            MDC.remove("job");
        }
    }

    static String describe(JobProgress p) {
        return String.format("%d/%d slots, %d keys moved, %.0f keys/s, eta %ss", p.slotsDone(), p.slotsTotal(),
                p.keysMoved(), p.keysPerSecond(), p.etaSeconds() < 0 ? "?" : Long.toString(p.etaSeconds()));
    }

    void stop(@Observes ShutdownEvent event) {
        progressLog.shutdownNow();
        running().ifPresent(Job::requestCancel);
        runner.shutdown();
    }
}
