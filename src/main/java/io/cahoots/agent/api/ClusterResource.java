package io.cahoots.agent.api;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.Health;
import io.cahoots.agent.observe.ClusterWatch;
import io.cahoots.agent.pods.PodsStatus;
import io.cahoots.agent.pods.PodsSupervisor;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.Arrays;
import java.util.function.Predicate;

@Path("/api/v1/cluster")
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {

    private final ClusterWatch watch;
    private final PodsSupervisor pods;

    public ClusterResource(ClusterWatch watch, PodsSupervisor pods) {
        this.watch = watch;
        this.pods = pods;
    }

    /**
     * The whole cluster, or with any of the query parameters a filtered page of its nodes (in address order) and
     * {@code nodesMatched}: {@code role} ({@code master}, {@code replica}), {@code health} ({@code ok}, {@code pfail},
     * {@code fail}, {@code unreachable}, {@code loading}, {@code handshake}), {@code offset} (default 0) and
     * {@code limit} (default all). For clusters of hundreds of nodes where a client wants one part of them.
     */
    @GET
    public ClusterView.Cluster cluster(@QueryParam("role") String role, @QueryParam("health") String health,
                                       @QueryParam("offset") Integer offset, @QueryParam("limit") Integer limit) {
        ClusterSnapshot s = snapshot();
        if (role == null && health == null && offset == null && limit == null) {
            return ClusterView.of(s, pods.mapping());
        }
        if (role != null && !role.equals("master") && !role.equals("replica")) {
            throw ApiProblem.badRequest("role must be master or replica, not '" + role + "'");
        }
        if (health != null && Arrays.stream(Health.values()).noneMatch(h -> h.wire().equals(health))) {
            throw ApiProblem.badRequest("health must be one of " + Arrays.stream(Health.values()).map(Health::wire).toList()
                    + ", not '" + health + "'");
        }
        if ((offset != null && offset < 0) || (limit != null && limit < 0)) {
            throw ApiProblem.badRequest("offset and limit must be 0 or more");
        }
        Predicate<ClusterNode> filter = n -> (role == null || n.role().wire().equals(role))
                && (health == null || n.health().wire().equals(health));
        return ClusterView.of(s, filter, offset == null ? 0 : offset, limit == null ? Integer.MAX_VALUE : limit, pods.mapping());
    }

    /**
     * The Redis pods supervisor: where the pods come from, each pod with its node, the heal state, a held scale-down
     * and the recent actions (docs/kubernetes.md).
     */
    @GET
    @Path("/pods")
    public PodsStatus pods() {
        return pods.status();
    }

    @GET
    @Path("/check")
    public ClusterView.Check check() {
        return ClusterView.check(snapshot());
    }

    /** The latest snapshot, or 503 saying why there is none worth showing. */
    ClusterSnapshot snapshot() {
        if (!watch.enabled()) {
            throw ApiProblem.unavailable("cluster-not-configured",
                    "cluster features are off: set AGENT_CLUSTER_NODES to host:port of at least one cluster node");
        }
        ClusterSnapshot s = watch.latest().orElseThrow(() ->
                ApiProblem.unavailable("cluster-not-polled", "the first poll of the cluster has not finished yet"));
        if (!s.anyReachable()) {
            throw ApiProblem.unavailable("cluster-unreachable",
                    "no cluster node answers: " + String.join("; ", s.check().problems()));
        }
        return s;
    }
}
