package io.cahoots.agent.scaling;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.RedisScalingSettings;
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
 * leader evaluates and acts. Off Kubernetes the nodes come from {@code AGENT_REDIS_SCALING_SPARE_NODES} (in the lab,
 * by default, from the lab's spare nodes); without a pool the autoscaler advises only. (A Kubernetes StatefulSet source is not built yet: the status says which source is used.)
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
    private ScheduledExecutorService scheduler;
    private ExecutorService stepRunner;
    private volatile ShardScalingLoop loop;

    public ShardScalingSupervisor(RedisScalingSettings settings, ClusterWatch watch, Fleet fleet, JobManager jobs,
                                  NodeService nodes, RebalanceService rebalance, ScalingMetrics metrics, Clock clock,
                                  SpareNodeSource labSpares) {
        this.labSpares = labSpares;
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
        List<HostPort> pool = settings.spareNodes().isEmpty()
                ? labSpares.spareNodes() : settings.spareNodes();
        Optional<ShardActions> actions = pool.isEmpty() ? Optional.empty()
                : Optional.of(new ShardActions(pool, watch, nodes, rebalance));
        stepRunner = Background.single("redis-scaling-step");
        loop = new ShardScalingLoop(settings, watch::latest, fleet::isLeader, () -> jobs.running().isPresent(), actions,
                stepRunner, metrics, clock);
        scheduler = Background.scheduler("redis-scaling");
        scheduler.scheduleWithFixedDelay(loop::tick, settings.interval().toMillis(), settings.interval().toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.infof("Redis shard autoscaler: %d..%d masters, memory %s%%, %s ops/s per master, latency %sms, sustain %s, observe %s,"
                        + " scale-in after %s; nodes from %s%s", settings.minMasters(), settings.maxMasters(), settings.memoryPercent(),
                settings.opsPerSecond(), settings.latencyMs(), settings.sustain(), settings.observe(), settings.scaleInAfter(),
                actions.map(a -> a.pool().size() + " spare node(s)").orElse("nowhere (advisory)"),
                settings.dryRun() ? " in dry-run" : "");
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
            stepRunner.shutdownNow();
        }
    }

    public ShardScalingStatus status() {
        ShardScalingLoop l = loop;
        if (l != null) {
            return l.status();
        }
        String why = !settings.enabled() ? "AGENT_REDIS_SCALING_ENABLED is false" : "AGENT_CLUSTER_NODES is unset";
        return ShardScalingStatus.off(why, settings.spareNodes().isEmpty() ? "none"
                : "spare-node pool (AGENT_REDIS_SCALING_SPARE_NODES): " + settings.spareNodes().size() + " configured",
                settings.minMasters(), settings.maxMasters());
    }
}
