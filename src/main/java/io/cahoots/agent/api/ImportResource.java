package io.cahoots.agent.api;

import io.cahoots.agent.importer.DryRun;
import io.cahoots.agent.importer.ImportRefusedException;
import io.cahoots.agent.importer.ImportService;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/v1/cluster/import}: a dry run by default (200 with the report, no token needed since nothing
 * changes); with {@code "dryRun": false} the admin token, then 202 with a job of type {@code import}.
 */
@Path("/api/v1/cluster/import")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Blocking
public class ImportResource {

    private final ImportService imports;
    private final AdminAuth auth;
    private final AuditLog audit;

    public ImportResource(ImportService imports, AdminAuth auth, AuditLog audit) {
        this.imports = imports;
        this.auth = auth;
        this.audit = audit;
    }

    @POST
    public Response start(ImportRequest request, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                          @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest http) {
        if (!imports.enabled()) {
            throw ApiProblem.unavailable("cluster-not-configured", "cluster features are off: set AGENT_CLUSTER_NODES");
        }
        ImportRequest r = request == null ? new ImportRequest(null, null, null) : request;
        try {
            if (r.dryRun() == null || r.dryRun()) {
                DryRun.Report report = imports.dryRun(r.source());
                return Response.ok(report).build();
            }
            Response refused = AdminAuthFilter.audited(auth, audit, "POST", "/api/v1/cluster/import",
                    AdminAuthFilter.remote(http), authorization);
            if (refused != null) {
                return refused;
            }
            return JobResource.accepted(imports.start(r.source(), Boolean.TRUE.equals(r.autoCutover())));
        } catch (ImportRefusedException e) {
            throw ApiProblem.conflict("import-refused", e.getMessage(), e.report());
        }
    }
}
