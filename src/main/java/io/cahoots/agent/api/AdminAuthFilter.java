package io.cahoots.agent.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Set;

/**
 * Every request under {@code /api/v1} that is not a read needs the admin bearer token. Endpoints that
 * answer a dry run by default ({@code POST /rebalance}, {@code POST /cluster/import}) check the token themselves, only when they mutate.
 */
public class AdminAuthFilter {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Set<String> DRY_RUN_BY_DEFAULT = Set.of("/api/v1/rebalance", "/api/v1/cluster/import");

    private final AdminAuth auth;

    public AdminAuthFilter(AdminAuth auth) {
        this.auth = auth;
    }

    @ServerRequestFilter
    public Response requireToken(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (READS.contains(request.getMethod()) || !path.startsWith("/api/v1") || DRY_RUN_BY_DEFAULT.contains(path)) {
            return null;
        }
        return refusal(auth, request.getHeaderString(HttpHeaders.AUTHORIZATION));
    }

    /** The answer that refuses a mutation, or null when the header carries the right token. */
    static Response refusal(AdminAuth auth, String authorizationHeader) {
        return switch (auth.check(authorizationHeader)) {
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
