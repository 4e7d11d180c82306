package io.cahoots.agent.api;

import io.cahoots.agent.sentinel.SentinelView;
import io.cahoots.agent.sentinel.SentinelWatcher;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/v1/sentinel}: per master its address, replicas, the Sentinels seen, quorum and last failover. */
@Path("/api/v1/sentinel")
@Produces(MediaType.APPLICATION_JSON)
public class SentinelResource {

    private final SentinelWatcher watcher;

    public SentinelResource(SentinelWatcher watcher) {
        this.watcher = watcher;
    }

    @GET
    public SentinelStatusView.Status sentinel() {
        if (!watcher.enabled()) {
            throw ApiProblem.unavailable("sentinel-not-configured",
                    "Sentinel features are off: set AGENT_SENTINEL_NODES to host:port of at least one Sentinel");
        }
        SentinelView v = watcher.latest().orElseThrow(() ->
                ApiProblem.unavailable("sentinel-not-polled", "the first poll of the Sentinels has not finished yet"));
        return SentinelStatusView.of(v);
    }
}
