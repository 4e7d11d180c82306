package io.cahoots.agent.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Set;

/** Every request under {@code /api/v1} that is not a read needs the admin bearer token. */
public class AdminAuthFilter {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final AdminAuth auth;

    public AdminAuthFilter(AdminAuth auth) {
        this.auth = auth;
    }

    @ServerRequestFilter
    public Response requireToken(ContainerRequestContext request) {
        if (READS.contains(request.getMethod()) || !request.getUriInfo().getPath().startsWith("/api/v1")) {
            return null;
        }
        return switch (auth.check(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
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
