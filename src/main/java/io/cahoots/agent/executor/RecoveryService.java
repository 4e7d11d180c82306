package io.cahoots.agent.executor;

import io.cahoots.agent.fleet.Fleet;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.redis.RedisException;
import io.cahoots.agent.lifecycle.StartupPhase;
import io.cahoots.agent.lifecycle.Background;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Finds jobs that an agent (this one before a restart, or another replica) left unfinished, and gets the
 * cluster back to clean.
 *
 * <ol>
 *   <li>Every {@value #PERIOD_SECONDS} s, on the fleet's leader only, while no job runs here: read the journal on the
 *       cluster.</li>
 *   <li>Unfinished entries: start a {@code recover} job. Starting it takes the execution lease, so while the
 *       entries' agent is alive (it holds the lease) nothing happens; once it died and its lease expired,
 *       exactly one agent gets here.</li>
 *   <li>The recover job runs the fix on a fresh snapshot (any slot the dead job left open is finished or
 *       closed, no key is lost), then marks the entries INTERRUPTED in the job history and closes them in
 *       the journal. A failed repair leaves them there, so the next check tries again. Interrupted jobs are
 *       not resumed: a new rebalance from a fresh plan does what remains.</li>
 * </ol>
 */
@ApplicationScoped
public class RecoveryService {

    private static final Logger LOG = Logger.getLogger(RecoveryService.class);
    static final int PERIOD_SECONDS = 2;

    private final JobManager jobs;
    private final ClusterWatch watch;
    private final FixService fix;
    private final Fleet fleet;
    private ScheduledExecutorService scheduler;

    public RecoveryService(JobManager jobs, ClusterWatch watch, FixService fix, Fleet fleet) {
        this.jobs = jobs;
        this.watch = watch;
        this.fix = fix;
        this.fleet = fleet;
    }

    void start(@Observes @Priority(StartupPhase.SERVICES) StartupEvent event) {
        if (!watch.enabled()) {
            return;
        }
        scheduler = Background.scheduler("job-recovery");
        scheduler.scheduleWithFixedDelay(this::check, 1, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    void check() {
        try {
            if (!fleet.isLeader() || jobs.running().isPresent() || watch.latest().isEmpty()) {
                return;
            }
            List<JobJournal.Entry> stale = jobs.journal().unfinished();
            if (stale.isEmpty()) {
                return;
            }
            Job job = jobs.start("recover", "recover from " + stale.size() + " interrupted job(s)", this::recover);
            LOG.infof("found %d unfinished job(s) in the journal: recovering in job %s", stale.size(), job.id());
        } catch (JobConflictException e) {
            // The lease is held: the agent running those jobs is alive. Nothing to recover.
        } catch (RedisException e) {
            LOG.debugf("journal not readable now: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("recovery check failed", e);
        }
    }

    /** Repairs first; the entries are closed only once the cluster is clean, so a failed repair is tried again. */
    private void recover(Job job) {
        List<JobJournal.Entry> stale = jobs.journal().unfinished().stream().filter(e -> !e.id().equals(job.id())).toList();
        fix.run(false, job);
        for (JobJournal.Entry e : stale) {
            boolean interrupted = jobs.recordInterrupted(e, "the agent running it stopped; job " + job.id()
                    + " checked and repaired the cluster");
            jobs.journal().finished(e.id());
            LOG.infof(interrupted ? "job %s (%s) marked INTERRUPTED" : "job %s (%s) had ended; its journal entry is closed",
                    e.id(), e.type());
        }
    }
}
