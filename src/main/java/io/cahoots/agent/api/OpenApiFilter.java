package io.cahoots.agent.api;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import java.util.Map;

/**
 * Completes {@code /q/openapi} with what every route shares, in one place rather than on every method:
 * <ol>
 *   <li>the {@code bearer} security scheme ({@code AGENT_ADMIN_TOKEN}), required by every mutating operation
 *       (POST, DELETE); a rebalance dry run may also go without it;</li>
 *   <li>the error answers, each {@code application/problem+json} with the {@code Problem} schema and an example:
 *       400, 401, 403 and 409 on mutating operations, 404 on paths with an id, 503 on operations that read Redis.</li>
 * </ol>
 * The contract's rules (CONTRACT.md, HTTP API) are what this writes down; {@code OpenApiDocumentTest} checks it.
 */
public class OpenApiFilter implements OASFilter {

    static final String SCHEME = "bearer";
    private static final String PROBLEM_REF = "#/components/schemas/Problem";

    private record Answer(String code, String title, String detail) {
    }

    private static final Answer BAD_REQUEST = new Answer("400", "Bad Request", "weights must be numbers");
    private static final Answer UNAUTHORIZED = new Answer("401", "Unauthorized", "the bearer token is missing or wrong");
    private static final Answer FORBIDDEN = new Answer("403", "Forbidden",
            "no admin token is configured: set AGENT_ADMIN_TOKEN to enable mutating endpoints");
    private static final Answer NOT_FOUND = new Answer("404", "Not Found", "no job 7f3e...");
    private static final Answer CONFLICT = new Answer("409", "Conflict", "job 7f3e... (rebalance) is RUNNING: one mutating job at a time");
    private static final Answer UNAVAILABLE = new Answer("503", "Service Unavailable", "Redis unreachable: 10.0.0.1:6379 refused the connection");

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() == null) {
            api.setComponents(OASFactory.createComponents());
        }
        api.getComponents().addSecurityScheme(SCHEME, OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP)
                .scheme("bearer").description("AGENT_ADMIN_TOKEN, as `Authorization: Bearer <token>`; needed by every "
                        + "mutating operation. With no token configured those answer 403."));
        api.getComponents().addSchema("Problem", problemSchema());
        if (api.getPaths() == null || api.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> e : api.getPaths().getPathItems().entrySet()) {
            String path = e.getKey();
            if (!path.startsWith("/api/v1")) {
                continue;
            }
            e.getValue().getOperations().forEach((method, op) -> complete(path, method, op));
        }
    }

    private static void complete(String path, PathItem.HttpMethod method, Operation op) {
        boolean mutating = method == PathItem.HttpMethod.POST || method == PathItem.HttpMethod.DELETE
                || method == PathItem.HttpMethod.PUT;
        if (op.getResponses() == null) {
            op.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = op.getResponses();
        if (mutating) {
            op.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme(SCHEME));
            if (path.equals("/api/v1/rebalance")) {
                op.addSecurityRequirement(OASFactory.createSecurityRequirement()); // a dry run needs no token
            }
            for (Answer a : new Answer[]{BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, CONFLICT}) {
                problem(responses, a);
            }
        }
        if (path.contains("{id}")) {
            problem(responses, NOT_FOUND);
        }
        if (path.startsWith("/api/v1/cluster") || path.startsWith("/api/v1/sentinel") || path.startsWith("/api/v1/topology")
                || path.startsWith("/api/v1/rebalance")) {
            problem(responses, UNAVAILABLE);
        }
    }

    private static void problem(APIResponses responses, Answer a) {
        org.eclipse.microprofile.openapi.models.responses.APIResponse existing = responses.getAPIResponse(a.code());
        if (existing != null && existing.getContent() != null && existing.getContent().hasMediaType(Problem.MEDIA_TYPE)) {
            return;
        }
        Content content = OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref(PROBLEM_REF))
                .example(Map.of("type", "/problems/" + a.title().toLowerCase().replace(' ', '-'), "title", a.title(),
                        "status", Integer.parseInt(a.code()), "detail", a.detail())));
        if (existing != null) { // Quarkus' own 400 for operations with parameters says nothing of the body: this one does
            existing.setContent(content);
            return;
        }
        responses.addAPIResponse(a.code(), OASFactory.createAPIResponse().description(a.title()).content(content));
    }

    private static Schema problemSchema() {
        return OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.OBJECT))
                .description("RFC 9457 problem details: every error answer of the agent has this shape")
                .addRequired("type").addRequired("title").addRequired("status").addRequired("detail")
                .addProperty("type", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)))
                .addProperty("title", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)))
                .addProperty("status", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.INTEGER)))
                .addProperty("detail", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.STRING)))
                .addProperty("report", OASFactory.createSchema().type(java.util.List.of(Schema.SchemaType.OBJECT))
                        .description("what the agent saw, when it helps (the running job's id on a 409, say)"));
    }
}
