package io.cahoots.agent.api;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import io.cahoots.agent.executor.Job;
import io.cahoots.agent.executor.JobManager;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;

@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    private final JobManager jobs;

    public JobResource(JobManager jobs) {
        this.jobs = jobs;
    }

    /** Newest first. */
    @GET
    public List<JobView> list() {
        return jobs.all().stream().map(JobView::of).toList();
    }

    @GET
    @Path("/{id}")
    public JobView get(@PathParam("id") String id) {
        return JobView.of(find(id));
    }

    /** Stops the job after the chunk of slots in flight; the cluster is left with every slot closed and owned. */
    @POST
    @Path("/{id}/cancel")
    @APIResponse(responseCode = "202", description = "the job, asked to stop after the slot in flight",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)))
    public Response cancel(@PathParam("id") String id) {
        Job job = find(id);
        if (!job.requestCancel()) {
            throw ApiProblem.conflict("job-finished", "job " + id + " already ended " + job.state(), null);
        }
        return Response.accepted(JobView.of(job)).build();
    }

    private Job find(String id) {
        return jobs.get(id).orElseThrow(() -> ApiProblem.notFound("no job " + id));
    }

    static Response accepted(Job job) {
        return Response.accepted(JobView.of(job)).location(URI.create("/api/v1/jobs/" + job.id())).build();
    }
}
