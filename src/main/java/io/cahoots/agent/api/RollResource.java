package io.cahoots.agent.api;

import io.cahoots.agent.executor.RollService;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.planner.RollPlan;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.time.Duration;

/**
 * {@code POST /api/v1/cluster/roll}: restart every node one at a time, masters after a failover. A dry run by
 * default (200 with the ordered plan, no token needed since nothing changes); with {@code "dryRun": false} the admin
 * token, then 202 with a job of type {@code roll}.
 */
@Path("/api/v1/cluster/roll")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Blocking
public class RollResource {

    /** @param nodeTimeoutSeconds how long one node may take to be back, synced and the cluster ok (default 300) */
    public record RollRequest(Boolean dryRun, Integer nodeTimeoutSeconds) {
    }

    /** The dry run's answer: what restarts the nodes and in which order. */
    public record RollPreview(long snapshotVersion, String restarter, int nodes, java.util.List<RollPlan.Step> steps) {
    }

    private final RollService roll;
    private final ClusterWatch watch;
    private final AdminAuth auth;
    private final AuditLog audit;

    public RollResource(RollService roll, ClusterWatch watch, AdminAuth auth, AuditLog audit) {
        this.roll = roll;
        this.watch = watch;
        this.auth = auth;
        this.audit = audit;
    }

    @POST
    @APIResponse(responseCode = "200", description = "dryRun (the default): the ordered plan, nothing changed",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = RollPreview.class)))
    @APIResponse(responseCode = "202", description = "the job, with Location: /api/v1/jobs/{id}",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)))
    public Response roll(RollRequest request, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                         @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest http) {
        if (!watch.enabled()) {
            throw ApiProblem.unavailable("cluster-not-configured", "cluster features are off: set AGENT_CLUSTER_NODES");
        }
        RollRequest r = request == null ? new RollRequest(null, null) : request;
        Duration nodeTimeout = RollService.DEFAULT_NODE_TIMEOUT;
        if (r.nodeTimeoutSeconds() != null) {
            if (r.nodeTimeoutSeconds() < 1 || r.nodeTimeoutSeconds() > RollService.MAX_NODE_TIMEOUT.toSeconds()) {
                throw ApiProblem.badRequest("nodeTimeoutSeconds must be between 1 and " + RollService.MAX_NODE_TIMEOUT.toSeconds());
            }
            nodeTimeout = Duration.ofSeconds(r.nodeTimeoutSeconds());
        }
        if (r.dryRun() == null || r.dryRun()) {
            RollService.Preview p = roll.preview();
            return Response.ok(new RollPreview(p.snapshot().version(), p.restarter(), p.plan().nodes(), p.plan().steps())).build();
        }
        Response refused = AdminAuthFilter.audited(auth, audit, "POST", "/api/v1/cluster/roll", AdminAuthFilter.remote(http), authorization);
        if (refused != null) {
            return refused;
        }
        return JobResource.accepted(roll.start(nodeTimeout));
    }
}
