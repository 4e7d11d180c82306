package io.cahoots.agent.scaling;

import io.cahoots.agent.fleet.Fleet;

import io.cahoots.agent.config.ScalingSettings;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.scaling.kube.KubernetesConnector;
import io.cahoots.agent.scaling.decision.RedisPressure;
import io.cahoots.agent.scaling.decision.Trigger;
import io.cahoots.agent.lifecycle.StartupPhase;
import io.cahoots.agent.lifecycle.Background;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@link ScalingLoop} every {@code AGENT_SCALING_INTERVAL} on its own thread when
 * {@code AGENT_SCALING_ENABLED=true}; otherwise does nothing at all (no Kubernetes client is even created).
 * On shutdown it releases the lease so another agent replica takes over at once.
 */
@ApplicationScoped
public class ScalingSupervisor {

    private static final Logger LOG = Logger.getLogger(ScalingSupervisor.class);

    private final ScalingSettings settings;
    private final KubernetesConnector connector;
    private final ClusterWatch clusterWatch;
    private final ScalingMetrics metrics;
    private final Clock clock;
    private final Fleet fleet;
    private ScheduledExecutorService scheduler;
    private volatile ScalingLoop loop;
    private volatile String startFailure;
    private KubernetesConnector.Connection connection;
    /** Redis' cumulative command totals turned into figures of the recent past. */
    private final RedisEvidence redisEvidence;

    public ScalingSupervisor(ScalingSettings settings, KubernetesConnector connector, ClusterWatch clusterWatch,
                             ScalingMetrics metrics, Clock clock, Fleet fleet, Settings agent) {
        this.redisEvidence = new RedisEvidence(RedisEvidence.defaultWindow(agent.pollInterval()), settings.redisLatencyMs(),
                settings.redisMemoryPercent());
        this.fleet = fleet;
        this.settings = settings;
        this.connector = connector;
        this.clusterWatch = clusterWatch;
        this.metrics = metrics;
        this.clock = clock;
    }

    void start(@Observes @Priority(StartupPhase.SERVICES) StartupEvent event) {
        if (!settings.enabled()) {
            LOG.info("AGENT_SCALING_ENABLED is false: the API replica supervisor is off");
            return;
        }
        try {
            connection = connector.connect(settings, clock);
        } catch (RuntimeException e) {
            // Scaling is one feature among several: a broken Kubernetes client configuration must not stop the agent.
            startFailure = "cannot create the Kubernetes client: " + e;
            LOG.error("API replica supervisor not started: " + startFailure, e);
            return;
        }
        PrometheusReader reader = new PrometheusReader(settings.prometheusUrl().orElseThrow(), Map.of(
                Trigger.CPU, settings.queryCpu(), Trigger.MEMORY, settings.queryMemory(),
                Trigger.QUEUE, settings.queryQueue(), Trigger.P95, settings.queryP95()), clock);
        // Sidecars sharing a store follow the fleet's leader; alone (no Redis to share), the Kubernetes Lease decides.
        Leadership leadership = fleet.shared() ? new FleetLeadership(fleet) : connection.leadership();
        loop = new ScalingLoop(settings, connection.namespace(), reader, connection.target(), leadership,
                this::redisPressure, metrics, clock);
        scheduler = Background.scheduler("scaling");
        scheduler.scheduleWithFixedDelay(loop::tick, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("supervising Deployment %s (%d..%d replicas, step %d) every %dms as %s%s", connection.target().describe(),
                settings.minReplicas(), settings.maxReplicas(), settings.step(), settings.interval().toMillis(),
                leadership.identity(), settings.dryRun() ? " in dry-run" : "");
    }

    void stop(@Observes ShutdownEvent event) {
        if (scheduler == null || connection == null) {
            return;
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.leadership().release();
    }

    public ScalingStatus status() {
        ScalingLoop l = loop;
        if (l != null) {
            return l.status();
        }
        return startFailure == null ? ScalingStatus.disabled(settings) : ScalingStatus.failed(settings, startFailure);
    }

    public ScalingSettings settings() {
        return settings;
    }

    private RedisPressure redisPressure() {
        if (!clusterWatch.enabled()) {
            return RedisPressure.NONE;
        }
        return redisEvidence.of(clusterWatch.latest());
    }
}
