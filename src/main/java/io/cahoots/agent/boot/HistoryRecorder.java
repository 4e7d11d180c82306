package io.cahoots.agent.boot;

import io.cahoots.agent.metrics.History;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.scaling.ScalingStatus;
import io.cahoots.agent.scaling.ScalingSupervisor;
import io.cahoots.agent.lifecycle.StartupPhase;
import io.cahoots.agent.lifecycle.Background;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Feeds {@link History} on its own clock (every step, whatever the poll interval): the latest cluster snapshot and
 * the supervised replicas. A timer of its own, not a snapshot listener, so replicas are recorded with cluster
 * features off, and a fast poll interval does not make the ring cover less time.
 */
@ApplicationScoped
public class HistoryRecorder {

    private static final Logger LOG = Logger.getLogger(HistoryRecorder.class);
    /** The last hour, one point every 5 s: enough to see the trend that led to a scaling step. */
    static final int CAPACITY = 720;
    static final Duration STEP = Duration.ofSeconds(5);

    private ScheduledExecutorService timer;

    @Produces
    @Singleton
    History history() {
        return new History(CAPACITY, STEP);
    }

    void start(@Observes @Priority(StartupPhase.SERVICES) StartupEvent event, History history, ClusterWatch cluster, ScalingSupervisor scaling,
               Clock clock) {
        timer = Background.scheduler("history");
        timer.scheduleAtFixedRate(() -> {
            try {
                ScalingStatus s = scaling.status();
                history.record(clock.instant(), cluster.enabled() ? cluster.latest() : Optional.empty(), s.currentReplicas(),
                        s.desiredReplicas());
            } catch (RuntimeException e) {
                // One missed point is a gap in a chart; the timer must survive it.
                LOG.debug("history sample skipped", e);
            }
        }, 0, STEP.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
