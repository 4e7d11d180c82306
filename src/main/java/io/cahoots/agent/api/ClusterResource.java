package io.cahoots.agent.api;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.observe.ClusterWatch;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/cluster")
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {

    private final ClusterWatch watch;

    public ClusterResource(ClusterWatch watch) {
        this.watch = watch;
    }

    @GET
    public ClusterView.Cluster cluster() {
        return ClusterView.of(snapshot());
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
