package io.cahoots.agent.scaling;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.RedisScalingSettings;
import io.cahoots.agent.executor.ClusterCommands;
import io.cahoots.agent.executor.JobManager;
import io.cahoots.agent.executor.NodeService;
import io.cahoots.agent.executor.RebalanceService;
import io.cahoots.agent.fleet.Fleet;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.lifecycle.StartupPhase;
import io.cahoots.agent.lifecycle.Background;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@link ShardScalingLoop} every {@code AGENT_REDIS_SCALING_INTERVAL} when
 * {@code AGENT_REDIS_SCALING_ENABLED=true} and the agent watches a cluster; every sidecar ticks, only the fleet's
 * leader evaluates and acts. Where the nodes come from (the status' {@code nodeSource}, and each decision's log line):
 * <ul>
 *   <li>on Kubernetes ({@code AGENT_KUBE_REDIS_SELECTOR}: the pods supervisor has a StatefulSet to scale), the
 *       StatefulSet, two pods per step ({@link StatefulSetShards}); a spare pool configured as well is not used;</li>
 *   <li>off Kubernetes, {@code AGENT_REDIS_SCALING_SPARE_NODES} (in the lab, by default, the lab's spare nodes)
 *       ({@link ShardActions});</li>
 *   <li>neither: the autoscaler advises only.</li>
 * </ul>
 */
@ApplicationScoped
public class ShardScalingSupervisor {

    private static final Logger LOG = Logger.getLogger(ShardScalingSupervisor.class);

    private final RedisScalingSettings settings;
    private final ClusterWatch watch;
    private final Fleet fleet;
    private final JobManager jobs;
    private final NodeService nodes;
    private final RebalanceService rebalance;
    private final ScalingMetrics metrics;
    private final Clock clock;
    private final SpareNodeSource labSpares;
    private final StatefulSetPods statefulSet;
    private final ClusterCommands redis;
    private ScheduledExecutorService scheduler;
    private ExecutorService stepRunner;
    private volatile ShardScalingLoop loop;

    public ShardScalingSupervisor(RedisScalingSettings settings, ClusterWatch watch, Fleet fleet, JobManager jobs,
                                  NodeService nodes, RebalanceService rebalance, ScalingMetrics metrics, Clock clock,
                                  SpareNodeSource labSpares, StatefulSetPods statefulSet, ClusterCommands redis) {
        this.labSpares = labSpares;
        this.statefulSet = statefulSet;
        this.redis = redis;
        this.settings = settings;
        this.watch = watch;
        this.fleet = fleet;
        this.jobs = jobs;
        this.nodes = nodes;
        this.rebalance = rebalance;
        this.metrics = metrics;
        this.clock = clock;
    }

    void start(@Observes @Priority(StartupPhase.LATE_SERVICES) StartupEvent event) {
        if (!settings.enabled()) {
            LOG.info("AGENT_REDIS_SCALING_ENABLED is false: the Redis shard autoscaler is off");
            return;
        }
        if (!watch.enabled()) {
            LOG.warn("AGENT_REDIS_SCALING_ENABLED is true but AGENT_CLUSTER_NODES is unset: the Redis shard autoscaler is off");
            return;
        }
        Optional<ShardNodeSource> actions = nodeSource();
        stepRunner = Background.single("redis-scaling-step");
        loop = new ShardScalingLoop(settings, watch::latest, fleet::isLeader, () -> jobs.running().isPresent(), actions,
                stepRunner, metrics, clock);
        scheduler = Background.scheduler("redis-scaling");
        scheduler.scheduleWithFixedDelay(loop::tick, settings.interval().toMillis(), settings.interval().toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.infof("Redis shard autoscaler: %d..%d masters, memory %s%%, %s ops/s per master, latency %sms, sustain %s, observe %s,"
                        + " scale-in after %s; nodes from %s%s", settings.minMasters(), settings.maxMasters(), settings.memoryPercent(),
                settings.opsPerSecond(), settings.latencyMs(), settings.sustain(), settings.observe(), settings.scaleInAfter(),
                actions.map(a -> a instanceof ShardActions sa ? "the spare pool, " + sa.pool().size() + " node(s)"
                        : "the Redis StatefulSet, two pods per step").orElse("nowhere (advisory)"),
                settings.dryRun() ? " in dry-run" : "");
        if (statefulSet.scalable() && !settings.spareNodes().isEmpty()) {
            LOG.warn("AGENT_REDIS_SCALING_SPARE_NODES is ignored on Kubernetes: the shard autoscaler scales the Redis StatefulSet");
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
            stepRunner.shutdownNow();
        }
    }

    /** The StatefulSet on Kubernetes, else the spare pool (configured, else the lab's), else none. */
    private Optional<ShardNodeSource> nodeSource() {
        if (statefulSet.scalable()) {
            return Optional.of(new StatefulSetShards(statefulSet, watch, nodes, rebalance, jobs, redis));
        }
        List<HostPort> pool = settings.spareNodes().isEmpty() ? labSpares.spareNodes() : settings.spareNodes();
        return pool.isEmpty() ? Optional.empty() : Optional.of(new ShardActions(pool, watch, nodes, rebalance));
    }

    public ShardScalingStatus status() {
        ShardScalingLoop l = loop;
        if (l != null) {
            return l.status();
        }
        String why = !settings.enabled() ? "AGENT_REDIS_SCALING_ENABLED is false" : "AGENT_CLUSTER_NODES is unset";
        if (statefulSet.scalable()) {
            return ShardScalingStatus.off(why, "statefulset", "the Redis StatefulSet (AGENT_KUBE_REDIS_SELECTOR)",
                    settings.minMasters(), settings.maxMasters());
        }
        return ShardScalingStatus.off(why, settings.spareNodes().isEmpty() ? "none" : "spare-pool", settings.spareNodes().isEmpty() ? "none"
                : "spare-node pool (AGENT_REDIS_SCALING_SPARE_NODES): " + settings.spareNodes().size() + " configured",
                settings.minMasters(), settings.maxMasters());
    }
}
