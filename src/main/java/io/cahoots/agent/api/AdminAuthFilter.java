package io.cahoots.agent.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Set;

/**
 * Guards {@code /api/v1}:
 * <ol>
 *   <li>a read ({@code GET}, {@code HEAD}) needs the read token or an admin token, when {@code AGENT_READ_TOKEN} is
 *       set; {@code OPTIONS} and everything outside {@code /api/v1} (console files, {@code /q/health},
 *       {@code /q/metrics}) stay open: probes and scrapers send no token, and the kit's NetworkPolicy limits who
 *       reaches them;</li>
 *   <li>anything else needs an admin token and is written to the {@link AuditLog}, accepted or refused. Endpoints
 *       that answer a dry run by default ({@code POST /rebalance}, {@code POST /cluster/import}, {@code POST /cluster/roll}) check the token themselves, only when they
 *       mutate, and audit then.</li>
 * </ol>
 */
public class AdminAuthFilter {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Set<String> DRY_RUN_BY_DEFAULT = Set.of("/api/v1/rebalance", "/api/v1/cluster/import", "/api/v1/cluster/roll");

    private final AdminAuth auth;
    private final AuditLog audit;

    public AdminAuthFilter(AdminAuth auth, AuditLog audit) {
        this.auth = auth;
        this.audit = audit;
    }

    @ServerRequestFilter
    public Response requireToken(ContainerRequestContext request, HttpServerRequest http) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/v1")) {
            return null;
        }
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (READS.contains(request.getMethod())) {
            return request.getMethod().equals("OPTIONS") ? null : readRefusal(auth.checkRead(authorization));
        }
        if (DRY_RUN_BY_DEFAULT.contains(path)) {
            // Reading a plan needs what reading needs; running it is checked (and audited) by the resource.
            return readRefusal(auth.checkRead(authorization));
        }
        return audited(auth, audit, request.getMethod(), path, remote(http), authorization);
    }

    /** Checks the admin token of a mutation and writes the audit line; the refusal, or null when allowed. */
    static Response audited(AdminAuth auth, AuditLog audit, String method, String path, String remote, String authorization) {
        AdminAuth.Outcome outcome = auth.check(authorization);
        audit.record(method, path, remote, authorization, switch (outcome) {
            case ALLOWED -> "accepted";
            case NO_TOKEN_CONFIGURED -> "refused-no-token-configured";
            case MISSING -> "refused-missing-token";
            case WRONG -> "refused-wrong-token";
        });
        return refusal(outcome);
    }

    static String remote(HttpServerRequest http) {
        return http == null || http.remoteAddress() == null ? "-" : http.remoteAddress().hostAddress();
    }

    private static Response readRefusal(AdminAuth.Outcome outcome) {
        return switch (outcome) {
            case ALLOWED, NO_TOKEN_CONFIGURED -> null;
            case MISSING -> unauthorized("reads need Authorization: Bearer <AGENT_READ_TOKEN> (or the admin token)");
            case WRONG -> unauthorized("the bearer token is wrong");
        };
    }

    /** The answer that refuses a mutation, or null when the header carries the right token. */
    static Response refusal(AdminAuth auth, String authorizationHeader) {
        return refusal(auth.check(authorizationHeader));
    }

    private static Response refusal(AdminAuth.Outcome outcome) {
        return switch (outcome) {
            case ALLOWED -> null;
            case NO_TOKEN_CONFIGURED -> ProblemMapper.response(403, "admin-token-not-configured", "Forbidden",
                    "mutating endpoints are disabled until AGENT_ADMIN_TOKEN is set (e.g. AGENT_ADMIN_TOKEN=$(openssl rand -hex 16))", null);
            case MISSING -> unauthorized("send Authorization: Bearer <AGENT_ADMIN_TOKEN>");
            case WRONG -> unauthorized("the bearer token is wrong");
        };
    }

    private static Response unauthorized(String detail) {
        Response r = ProblemMapper.response(401, "unauthorized", "Unauthorized", detail, null);
        return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"cahoots-agent\"").build();
    }
}
