package io.cahoots.agent.api;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.executor.RebalanceService;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.planner.Balance;
import io.cahoots.agent.planner.RebalanceOptions;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Map;
import java.util.OptionalLong;

@Path("/api/v1/rebalance")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Blocking
public class RebalanceResource {

    private final RebalanceService rebalance;
    private final ClusterWatch watch;
    private final Settings settings;
    private final AdminAuth auth;
    private final AuditLog audit;

    public RebalanceResource(RebalanceService rebalance, ClusterWatch watch, Settings settings, AdminAuth auth, AuditLog audit) {
        this.audit = audit;
        this.auth = auth;
        this.rebalance = rebalance;
        this.watch = watch;
        this.settings = settings;
    }

    /**
     * Dry run by default: 200 with the plan, no token needed since nothing changes. With
     * {@code "dryRun": false}: the admin token, then 202 with the job.
     */
    @POST
    @APIResponse(responseCode = "200", description = "dryRun (the default): the plan, nothing changed",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = PlanView.class)))
    @APIResponse(responseCode = "202", description = "the job, with Location: /api/v1/jobs/{id}",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)))
    public Response rebalance(RebalanceRequest request, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                              @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest http) {
        if (!watch.enabled()) {
            throw ApiProblem.unavailable("cluster-not-configured", "cluster features are off: set AGENT_CLUSTER_NODES");
        }
        RebalanceRequest r = request == null ? new RebalanceRequest(null, null, null, null, null, null, null) : request;
        RebalanceOptions options = options(r);
        if (r.dryRun() == null || r.dryRun()) {
            RebalanceService.Preview p = rebalance.preview(options);
            return Response.ok(PlanView.of(p.plan(), p.snapshot()).withOversizedKeys(p.oversizedKeys())).build();
        }
        Response refused = AdminAuthFilter.audited(auth, audit, "POST", "/api/v1/rebalance", AdminAuthFilter.remote(http), authorization);
        if (refused != null) {
            return refused;
        }
        return JobResource.accepted(rebalance.start(options, Boolean.TRUE.equals(r.replace()),
                r.snapshotVersion() == null ? OptionalLong.empty() : OptionalLong.of(r.snapshotVersion())));
    }

    private RebalanceOptions options(RebalanceRequest r) {
        Map<String, Double> weights = r.weights() == null ? Map.of() : r.weights();
        if (weights.values().stream().anyMatch(java.util.Objects::isNull)) {
            throw ApiProblem.badRequest("weights must be numbers");
        }
        try {
            return new RebalanceOptions(weights,
                    r.thresholdPercent() == null ? settings.rebalanceThresholdPercent() : r.thresholdPercent(),
                    r.useEmptyMasters() == null || r.useEmptyMasters(),
                    r.balance() == null ? Balance.SLOTS : Balance.parse(r.balance()));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(e.getMessage());
        }
    }
}
