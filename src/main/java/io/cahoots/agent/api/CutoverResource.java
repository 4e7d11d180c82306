package io.cahoots.agent.api;

import io.cahoots.agent.importer.ImportRefusedException;
import io.cahoots.agent.importer.ImportService;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/v1/jobs/{id}/cutover}: for an import job whose full copy is done, publish the
 * {@code cluster-enabled} view and enter the grace period; 202 with the job. 409 before the full copy ends, after
 * the cutover, or for another type of job; 404 for an unknown id. Needs the admin token (the filter).
 */
@Path("/api/v1/jobs/{id}/cutover")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class CutoverResource {

    private final ImportService imports;

    public CutoverResource(ImportService imports) {
        this.imports = imports;
    }

    @POST
    public Response cutover(@PathParam("id") String id) {
        try {
            return Response.accepted(JobView.of(imports.cutover(id))).build();
        } catch (ImportRefusedException e) {
            throw ApiProblem.conflict("cutover-refused", e.getMessage(), e.report());
        }
    }
}
