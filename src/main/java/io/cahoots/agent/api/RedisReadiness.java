package io.cahoots.agent.api;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.observe.ClusterWatch;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Ready once at least one configured Redis endpoint answers; otherwise DOWN with the reason. */
@Readiness
@ApplicationScoped
public class RedisReadiness implements HealthCheck {

    private final ClusterWatch watch;

    public RedisReadiness(ClusterWatch watch) {
        this.watch = watch;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("redis-cluster");
        if (!watch.enabled()) {
            return r.up().withData("cluster", "not configured").build();
        }
        Optional<ClusterSnapshot> s = watch.latest();
        if (s.isEmpty()) {
            return r.down().withData("reason", "first poll not finished").build();
        }
        ClusterSnapshot snap = s.get();
        r.withData("state", snap.state()).withData("version", snap.version()).withData("nodes", snap.nodes().size());
        if (!snap.anyReachable()) {
            return r.down().withData("reason", "no cluster node answers: " + String.join("; ", snap.check().problems())).build();
        }
        return r.up().build();
    }
}
