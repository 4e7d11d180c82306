package io.cahoots.agent.api;

import io.cahoots.agent.sentinel.SentinelView;
import io.cahoots.agent.sentinel.SentinelWatcher;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Optional;
import java.util.stream.Collectors;

/** Ready once at least one Sentinel answers, when Sentinels are configured; otherwise DOWN with the reason. */
@Readiness
@ApplicationScoped
public class SentinelReadiness implements HealthCheck {

    private final SentinelWatcher watcher;

    public SentinelReadiness(SentinelWatcher watcher) {
        this.watcher = watcher;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("redis-sentinel");
        if (!watcher.enabled()) {
            return r.up().withData("sentinel", "not configured").build();
        }
        Optional<SentinelView> latest = watcher.latest();
        if (latest.isEmpty()) {
            return r.down().withData("reason", "first poll of the Sentinels not finished").build();
        }
        SentinelView v = latest.get();
        r.withData("sentinels", v.reachableCount() + "/" + v.sentinels().size() + " reachable")
                .withData("masters", String.join(",", v.masters().keySet()));
        if (!v.anyReachable()) {
            String why = v.sentinels().stream().map(s -> s.address() + ": " + s.error().orElse("?"))
                    .collect(Collectors.joining("; "));
            return r.down().withData("reason", "no Sentinel answers: " + why).build();
        }
        return r.up().build();
    }
}
