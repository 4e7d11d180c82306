package io.cahoots.agent.api;

import io.cahoots.agent.caching.PolicyService;
import io.cahoots.agent.caching.PolicyStatus;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /api/v1/policy}: per data node the configured vs expected memory policy, per master the keys the TTL
 * audit found without or beyond their pattern's TTL, and what enforcement changed. Reads memory only.
 */
@Path("/api/v1/policy")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {

    private final PolicyService policy;
    private final SharedViews shared;

    public PolicyResource(PolicyService policy, SharedViews shared) {
        this.policy = policy;
        this.shared = shared;
    }

    /** The leader's report on every sidecar of the fleet. */
    @GET
    public Response policy() {
        if (!policy.enabled()) {
            throw ApiProblem.unavailable("policy-not-configured",
                    "no Redis to check: set AGENT_CLUSTER_NODES and/or AGENT_SENTINEL_NODES");
        }
        if (shared.followsLeader()) {
            return shared.leaders(SharedViews.POLICY, "policy report");
        }
        PolicyStatus s = policy.status();
        if (s.checkedAt().isEmpty()) {
            throw ApiProblem.unavailable("policy-not-checked", "the first poll has not finished yet");
        }
        return Response.ok(PolicyView.of(s)).build();
    }
}
