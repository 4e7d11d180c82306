package io.cahoots.agent.api;

import io.cahoots.agent.metrics.History;
import io.cahoots.agent.scaling.ScalingSupervisor;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The last hour of the figures the console charts, from the agent's memory (a bounded ring, see {@code History}). */
@Path("/api/v1/history")
@Produces(MediaType.APPLICATION_JSON)
public class HistoryResource {

    private final History history;
    private final ScalingSupervisor scaling;

    public HistoryResource(History history, ScalingSupervisor scaling) {
        this.history = history;
        this.scaling = scaling;
    }

    @GET
    public HistoryView history() {
        return HistoryView.of(history, scaling.status());
    }
}
