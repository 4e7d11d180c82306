package io.cahoots.agent.api;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.executor.FixService;
import io.cahoots.agent.executor.NodeService;
import io.cahoots.agent.observe.ClusterWatch;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.Locale;
import java.util.Optional;

/** Node lifecycle and repair; every call needs the admin token (the filter) and answers 202 with a job. */
@Path("/api/v1/cluster")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Blocking
public class ClusterChangeResource {

    public record AddNodeRequest(String address, String role, String masterId, Boolean rebalance) {
    }

    public record FixRequest(Boolean allowUnreachable, Boolean replace) {
    }

    private final NodeService nodes;
    private final FixService fix;
    private final ClusterWatch watch;

    public ClusterChangeResource(NodeService nodes, FixService fix, ClusterWatch watch) {
        this.nodes = nodes;
        this.fix = fix;
        this.watch = watch;
    }

    @POST
    @Path("/nodes")
    @APIResponse(responseCode = "202", description = "the job, with Location: /api/v1/jobs/{id}",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)))
    public Response add(AddNodeRequest r) {
        requireCluster();
        if (r == null || r.address() == null) {
            throw ApiProblem.badRequest("address is required, as host:port");
        }
        HostPort address;
        try {
            address = HostPort.parse(r.address());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("address: " + e.getMessage());
        }
        NodeService.Role role;
        String roleText = r.role() == null ? "master" : r.role().toLowerCase(Locale.ROOT);
        switch (roleText) {
            case "master" -> role = NodeService.Role.MASTER;
            case "replica" -> role = NodeService.Role.REPLICA;
            default -> throw ApiProblem.badRequest("role must be \"master\" or \"replica\", not \"" + r.role() + "\"");
        }
        if (role == NodeService.Role.MASTER && r.masterId() != null) {
            throw ApiProblem.badRequest("masterId only goes with role \"replica\"");
        }
        if (role == NodeService.Role.REPLICA && Boolean.TRUE.equals(r.rebalance())) {
            throw ApiProblem.badRequest("rebalance only goes with role \"master\"");
        }
        return JobResource.accepted(nodes.add(address, role, Optional.ofNullable(r.masterId()), Boolean.TRUE.equals(r.rebalance())));
    }

    @DELETE
    @Path("/nodes/{id}")
    @APIResponse(responseCode = "202", description = "the job, with Location: /api/v1/jobs/{id}",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)))
    public Response remove(@PathParam("id") String id) {
        requireCluster();
        return JobResource.accepted(nodes.remove(id));
    }

    @POST
    @Path("/fix")
    @APIResponse(responseCode = "202", description = "the job, with Location: /api/v1/jobs/{id}",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)))
    public Response fix(FixRequest r) {
        requireCluster();
        FixRequest req = r == null ? new FixRequest(null, null) : r;
        return JobResource.accepted(fix.start(Boolean.TRUE.equals(req.allowUnreachable()), Boolean.TRUE.equals(req.replace())));
    }

    private void requireCluster() {
        if (!watch.enabled()) {
            throw ApiProblem.unavailable("cluster-not-configured", "cluster features are off: set AGENT_CLUSTER_NODES");
        }
    }
}
