package io.cahoots.agent.api;

import io.cahoots.agent.scaling.ScalingSupervisor;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The replica supervisor's state and its recent decisions, with the reasons. Answers 200 even when scaling is off. */
@Path("/api/v1/scaling")
@Produces(MediaType.APPLICATION_JSON)
public class ScalingResource {

    private final ScalingSupervisor supervisor;

    public ScalingResource(ScalingSupervisor supervisor) {
        this.supervisor = supervisor;
    }

    @GET
    public ScalingView scaling() {
        return ScalingView.of(supervisor.status());
    }
}
