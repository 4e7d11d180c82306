package io.cahoots.agent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.fleet.Fleet;
import io.cahoots.agent.caching.PolicyService;
import io.cahoots.agent.caching.PolicyStatus;
import io.cahoots.agent.scaling.ScalingSupervisor;
import io.cahoots.agent.scaling.ShardScalingSupervisor;
import io.cahoots.agent.lifecycle.StartupPhase;
import io.cahoots.agent.lifecycle.Background;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The reports only the fleet's leader computes -- the Redis policy report and the scaling status -- shared with the
 * followers, so that {@code GET /policy} and {@code GET /scaling} answer the same on every sidecar.
 *
 * <ol>
 *   <li>Every {@link #PERIOD} the leader writes both, as the JSON its own endpoints answer, to the fleet store (two
 *       writes; they expire after {@link #TTL}, so a dead leader's report does not outlive it for long).</li>
 *   <li>A follower's endpoint answers with the stored JSON, byte for byte; before the first one is stored it answers
 *       503 and says why.</li>
 * </ol>
 * A fleet of one (no Redis to share) answers from its own state, as before.
 */
@ApplicationScoped
public class SharedViews {

    private static final Logger LOG = Logger.getLogger(SharedViews.class);
    static final Duration PERIOD = Duration.ofSeconds(2);
    static final Duration TTL = Duration.ofSeconds(30);
    static final String POLICY = "policy-view";
    static final String SCALING = "scaling-view";

    private final Fleet fleet;
    private final PolicyService policy;
    private final ScalingSupervisor scaling;
    private final ObjectMapper mapper;
    private ScheduledExecutorService thread;

    private final ShardScalingSupervisor shards;

    public SharedViews(Fleet fleet, PolicyService policy, ScalingSupervisor scaling, ShardScalingSupervisor shards,
                       ObjectMapper mapper) {
        this.shards = shards;
        this.fleet = fleet;
        this.policy = policy;
        this.scaling = scaling;
        this.mapper = mapper;
    }

    void start(@Observes @Priority(StartupPhase.LATE_SERVICES) StartupEvent event) {
        if (!fleet.shared()) {
            return;
        }
        thread = Background.scheduler("fleet-views");
        thread.scheduleWithFixedDelay(this::share, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (thread != null) {
            thread.shutdownNow();
        }
    }

    /** True when this sidecar must answer with the leader's copy rather than its own state. */
    boolean followsLeader() {
        return fleet.shared() && !fleet.isLeader() && fleet.storeReachable();
    }

    /** The leader's stored report as the answer, or 503 while there is none. */
    Response leaders(String name, String what) {
        Optional<byte[]> doc;
        try {
            doc = fleet.store().document(name);
        } catch (RuntimeException e) {
            throw ApiProblem.unavailable("fleet-store-unreachable",
                    "this sidecar follows the fleet's leader and cannot read its " + what + " now: " + e.getMessage());
        }
        return Response.ok(doc.orElseThrow(() -> ApiProblem.unavailable("leader-report-missing",
                "this sidecar follows the fleet's leader, which has not shared its " + what + " yet")))
                .type(MediaType.APPLICATION_JSON).build();
    }

    private void share() {
        if (!fleet.isLeader()) {
            return;
        }
        try {
            if (policy.enabled()) {
                PolicyStatus s = policy.status();
                if (s.checkedAt().isPresent()) {
                    fleet.store().putDocument(POLICY, mapper.writeValueAsBytes(PolicyView.of(s)), TTL);
                }
            }
            fleet.store().putDocument(SCALING, mapper.writeValueAsBytes(ScalingView.of(scaling.status(), shards.status())), TTL);
        } catch (Exception e) {
            LOG.debugf("could not share the policy and scaling reports: %s", e.getMessage());
        }
    }
}
