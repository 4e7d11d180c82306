package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.observe.ClusterWatch;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** {@code POST /cluster/fix}: refuses or starts a job that repairs open and uncovered slots with {@link ClusterFixer}. */
@ApplicationScoped
public class FixService {

    private final ClusterWatch watch;
    private final JobManager jobs;
    private final ClusterFixer fixer;

    public FixService(ClusterWatch watch, JobManager jobs, ClusterFixer fixer) {
        this.watch = watch;
        this.jobs = jobs;
        this.fixer = fixer;
    }

    public Job start(boolean allowUnreachable, boolean replace) {
        jobs.requireIdle();
        ClusterSnapshot s = watch.refresh();
        List<String> refusals = ClusterFixer.refusals(s, allowUnreachable);
        if (!refusals.isEmpty()) {
            throw new PreflightException(refusals, s);
        }
        int open = s.check().openSlotCount();
        int uncovered = s.slotsAssignedGap();
        String description = open + uncovered == 0 ? "fix: nothing to repair"
                : "fix " + open + " open and " + uncovered + " uncovered slot(s)";
        return jobs.start("fix", description, job -> run(replace, job));
    }

    /** The repair itself, on a fresh snapshot; also run by crash recovery inside its own job. */
    public void run(boolean replace, Job job) {
        ClusterSnapshot now = watch.refresh();
        try {
            job.result(fixer.fix(now, replace, job));
        } finally {
            watch.refresh();
        }
    }
}
