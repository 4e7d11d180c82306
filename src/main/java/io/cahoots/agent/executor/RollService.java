package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.planner.PlanningException;
import io.cahoots.agent.planner.RollPlan;
import io.cahoots.agent.planner.RollPlanner;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Rolling restarts as the API offers them ({@code POST /api/v1/cluster/roll}).
 *
 * <ol>
 *   <li>Preview: refuse (409) when nothing can restart nodes here ({@link NodeRestarter#unavailable()}), while a job
 *       runs, or unless the cluster is ok, agreed and every node healthy ({@link Preflight} and more: a roll on a
 *       degraded cluster could take a shard's last copy down); then plan ({@link RollPlanner}), the cluster's nodes and
 *       then the Sentinel groups the agent watches ({@link SentinelGroups}).</li>
 *   <li>Start: the same preview, then a job of type {@code roll} that runs the plan with a {@link Roller}: one node
 *       at a time, see there for the steps and their safety.</li>
 * </ol>
 */
@ApplicationScoped
public class RollService {

    public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration MAX_NODE_TIMEOUT = Duration.ofHours(1);

    /** A plan, the snapshot it was made from, and what will restart the nodes. */
    public record Preview(ClusterSnapshot snapshot, RollPlan plan, String restarter) {
    }

    private final ClusterWatch watch;
    private final JobManager jobs;
    private final ClusterCommands redis;
    private final NodeRestarter restarter;
    private final SentinelGroups sentinel;

    public RollService(ClusterWatch watch, JobManager jobs, ClusterCommands redis, NodeRestarter restarter,
                       SentinelGroups sentinel) {
        this.sentinel = sentinel;
        this.watch = watch;
        this.jobs = jobs;
        this.redis = redis;
        this.restarter = restarter;
    }

    public Preview preview() {
        restarter.unavailable().ifPresent(why -> {
            throw new RollRefusedException(why);
        });
        jobs.requireIdle();
        ClusterSnapshot s = Roller.settled(watch, Duration.ofSeconds(5));
        Preflight.require(s);
        List<String> unhealthy = new ArrayList<>();
        for (ClusterNode n : s.nodes()) {
            if (n.health() != Health.OK) {
                unhealthy.add(n.addressText() + " is " + n.health().wire());
            }
        }
        if (!unhealthy.isEmpty()) {
            throw new RollRefusedException("every node must be healthy before a roll: " + String.join(", ", unhealthy));
        }
        try {
            return new Preview(s, RollPlanner.plan(s, restarter.restartsSentinelGroups() ? sentinel.groups() : List.of()),
                    restarter.kind());
        } catch (PlanningException e) {
            throw new RollRefusedException(e.getMessage());
        }
    }

    /** @param nodeTimeout how long one node may take to come back (restart, load, sync, cluster ok) */
    public Job start(Duration nodeTimeout) {
        Preview p = preview();
        RollPlan plan = p.plan();
        long masters = plan.steps().stream().filter(st -> st.kind() == RollPlan.Kind.FAILOVER_THEN_RESTART
                || st.kind() == RollPlan.Kind.SENTINEL_FAILOVER_THEN_RESTART).count();
        String description = "roll " + plan.nodes() + " nodes (" + masters + " masters after a failover) through the "
                + restarter.kind() + ", one at a time";
        return jobs.start("roll", description, job -> new Roller(watch, redis, restarter, sentinel, nodeTimeout).run(plan, job));
    }
}
