package io.cahoots.agent.api;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import io.cahoots.agent.executor.Job;
import io.cahoots.agent.executor.JobConflictException;
import io.cahoots.agent.executor.JobManager;
import io.cahoots.agent.executor.JobRecord;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;

/** The fleet's jobs: every sidecar answers the same (see {@code JobManager}). */
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
        return JobView.of(jobs.get(id).orElseThrow(() -> ApiProblem.notFound("no job " + id)));
    }

    /**
     * Stops the job after the chunk of slots in flight; the cluster is left with every slot closed and owned. Asked on
     * another sidecar than the one running the job, it reaches that one within a second.
     */
    @POST
    @Path("/{id}/cancel")
    @APIResponse(responseCode = "202", description = "the job, asked to stop after the slot in flight",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)))
    public Response cancel(@PathParam("id") String id) {
        JobRecord job;
        try {
            job = jobs.cancel(id).orElseThrow(() -> ApiProblem.notFound("no job " + id));
        } catch (JobConflictException e) {
            throw ApiProblem.conflict("job-finished", e.getMessage(), null);
        }
        return Response.accepted(JobView.of(job)).build();
    }

    static Response accepted(Job job) {
        return Response.accepted(JobView.of(job)).location(URI.create("/api/v1/jobs/" + job.id())).build();
    }
}
