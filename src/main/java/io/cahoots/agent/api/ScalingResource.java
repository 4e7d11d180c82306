package io.cahoots.agent.api;

import io.cahoots.agent.scaling.ScalingSupervisor;
import io.cahoots.agent.scaling.ShardScalingSupervisor;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The replica supervisor's and the Redis shard autoscaler's state and its recent decisions, with the reasons. Answers 200 even when scaling is off. */
@Path("/api/v1/scaling")
@Produces(MediaType.APPLICATION_JSON)
public class ScalingResource {

    private final ScalingSupervisor supervisor;
    private final SharedViews shared;
    private final ShardScalingSupervisor shards;

    public ScalingResource(ScalingSupervisor supervisor, SharedViews shared, ShardScalingSupervisor shards) {
        this.supervisor = supervisor;
        this.shards = shards;
        this.shared = shared;
    }

    /** The leader's status on every sidecar of a fleet that shares a store. */
    @GET
    public Response scaling() {
        if (shared.followsLeader()) {
            return shared.leaders(SharedViews.SCALING, "scaling status");
        }
        return Response.ok(ScalingView.of(supervisor.status(), shards.status())).build();
    }
}
