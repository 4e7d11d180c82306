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

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Node lifecycle and repair; every call needs the admin token (the filter) and answers 202 with a job. */
@Path("/api/v1/cluster")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Blocking
public class ClusterChangeResource {

    /** One node ({@code address}), or several empty masters at once ({@code addresses}, role master only). */
    public record AddNodeRequest(String address, String role, String masterId, Boolean rebalance, List<String> addresses) {
    }

    /** Several nodes removed in one job. */
    public record RemoveNodesRequest(List<String> ids) {
    }

    public record FixRequest(Boolean allowUnreachable, Boolean replace) {
    }

    /** More nodes than this in one job is a typo more likely than a plan. */
    static final int MAX_NODES_PER_JOB = 100;

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
        if (r != null && r.addresses() != null) {
            return addMasters(r);
        }
        if (r == null || r.address() == null) {
            throw ApiProblem.badRequest("address is required, as host:port (or addresses, a list of them)");
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

    /** {@code addresses}: several empty masters joined in one job, then (with {@code rebalance}) one rebalance onto them. */
    private Response addMasters(AddNodeRequest r) {
        if (r.address() != null) {
            throw ApiProblem.badRequest("give address or addresses, not both");
        }
        if (r.role() != null && !"master".equals(r.role().toLowerCase(Locale.ROOT))) {
            throw ApiProblem.badRequest("addresses only adds masters; add replicas one by one with address and role \"replica\"");
        }
        if (r.masterId() != null) {
            throw ApiProblem.badRequest("masterId only goes with role \"replica\"");
        }
        if (r.addresses().isEmpty() || r.addresses().size() > MAX_NODES_PER_JOB) {
            throw ApiProblem.badRequest("addresses must list 1 to " + MAX_NODES_PER_JOB + " nodes");
        }
        List<HostPort> addresses = new ArrayList<>();
        for (String a : r.addresses()) {
            if (a == null) {
                throw ApiProblem.badRequest("addresses: every entry must be host:port");
            }
            try {
                addresses.add(HostPort.parse(a));
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("addresses: " + e.getMessage());
            }
        }
        return JobResource.accepted(nodes.addMasters(addresses, Boolean.TRUE.equals(r.rebalance())));
    }

    @POST
    @Path("/nodes/remove")
    @APIResponse(responseCode = "202", description = "the job, with Location: /api/v1/jobs/{id}",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)))
    public Response removeMany(RemoveNodesRequest r) {
        requireCluster();
        if (r == null || r.ids() == null || r.ids().isEmpty() || r.ids().size() > MAX_NODES_PER_JOB) {
            throw ApiProblem.badRequest("ids must list 1 to " + MAX_NODES_PER_JOB + " node ids");
        }
        if (r.ids().stream().anyMatch(java.util.Objects::isNull)) {
            throw ApiProblem.badRequest("ids: every entry must be a node id");
        }
        return JobResource.accepted(nodes.removeMany(r.ids()));
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
