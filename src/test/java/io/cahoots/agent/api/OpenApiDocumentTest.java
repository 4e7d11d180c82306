package io.cahoots.agent.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.cahoots.agent.testing.LabResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /q/openapi} describes the API for its users: every JAX-RS route of the agent is listed (found by scanning the
 * resource classes, so a new route cannot be forgotten), mutating operations require the bearer scheme and list their
 * problem+json answers, bodies are typed, every {@code $ref} resolves, and Swagger UI is served.
 */
@QuarkusTest
@QuarkusTestResource(LabResource.class)
class OpenApiDocumentTest {

    static final Map<Class<? extends java.lang.annotation.Annotation>, String> VERBS = Map.of(GET.class, "get", POST.class, "post", DELETE.class, "delete", PUT.class, "put");

    JsonNode document() throws Exception {
        return new ObjectMapper().readTree(given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200)
                .extract().asString());
    }

    /** "post /api/v1/jobs/{id}/cancel", ... from the resource classes' annotations. */
    static Set<String> routes() {
        Set<String> out = new TreeSet<>();
        for (JavaClass c : new ClassFileImporter().importPackages("io.cahoots.agent.api")) {
            Class<?> type = c.reflect();
            Path root = type.getAnnotation(Path.class);
            if (root == null) {
                continue;
            }
            for (Method m : type.getDeclaredMethods()) {
                for (Map.Entry<Class<? extends java.lang.annotation.Annotation>, String> verb : VERBS.entrySet()) {
                    if (m.isAnnotationPresent(verb.getKey())) {
                        Path sub = m.getAnnotation(Path.class);
                        out.add(verb.getValue() + " " + (root.value() + (sub == null ? "" : sub.value())).replaceAll("/+$", ""));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyRouteIsListedWithItsErrorsAndSecurity() throws Exception {
        JsonNode doc = document();
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        Set<String> routes = routes();
        assertThat(routes).contains("get /api/v1/cluster", "post /api/v1/rebalance", "delete /api/v1/cluster/nodes/{id}",
                "post /api/v1/capacity", "get /api/v1/history", "get /api/v1/topology/stream");
        for (String route : routes) {
            String verb = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1);
            JsonNode op = doc.path("paths").path(path).path(verb);
            assertThat(op.isMissingNode()).as("%s is not in /q/openapi", route).isFalse();
            if (!verb.equals("get")) {
                assertThat(op.path("security").toString()).as(route).contains("\"bearer\"");
                for (String code : List.of("400", "401", "403", "409")) {
                    assertThat(op.path("responses").path(code).path("content").has("application/problem+json")).as("%s %s", route, code).isTrue();
                }
                assertThat(op.path("responses").fieldNames()).toIterable().as(route).anyMatch(c -> c.startsWith("2"));
            }
            if (path.contains("{id}")) {
                assertThat(op.path("responses").has("404")).as(route).isTrue();
            }
        }
        JsonNode bearer = doc.path("components").path("securitySchemes").path("bearer");
        assertThat(bearer.path("type").asText()).isEqualTo("http");
        assertThat(bearer.path("scheme").asText()).isEqualTo("bearer");
        assertThat(doc.path("components").path("schemas").path("Problem").path("required").toString())
                .contains("type", "title", "status", "detail");
        // A dry run needs no token: the rebalance also allows no security requirement.
        assertThat(doc.path("paths").path("/api/v1/rebalance").path("post").path("security").toString()).contains("{}");
    }

    @Test
    void bodiesAreTypedAndEveryReferenceResolves() throws Exception {
        JsonNode doc = document();
        JsonNode capacity = doc.path("paths").path("/api/v1/capacity").path("post").path("requestBody").path("content")
                .path("application/json");
        assertThat(resolve(doc, capacity.path("schema")).path("properties").fieldNames()).toIterable()
                .contains("requestsPerSecond", "cpuSecondsPerRequest", "activeUsers", "podMemoryBytes");
        assertThat(capacity.path("examples").size()).isPositive();
        assertThat(doc.path("paths").path("/api/v1/rebalance").path("post").path("responses").path("202").path("content")
                .path("application/json").path("schema").path("$ref").asText()).endsWith("/JobView");
        assertThat(doc.path("paths").path("/api/v1/history").path("get").path("responses").path("200").toString()).contains("HistoryView");
        Matcher ref = Pattern.compile("\"\\$ref\":\"#/components/schemas/([^\"]+)\"").matcher(doc.toString());
        List<String> refs = new ArrayList<>();
        while (ref.find()) {
            refs.add(ref.group(1));
        }
        assertThat(refs).isNotEmpty().allSatisfy(r -> assertThat(doc.path("components").path("schemas").has(r)).as(r).isTrue());
    }

    @Test
    void swaggerUiIsServed() {
        given().get("/q/swagger-ui/").then().statusCode(200);
        assertThat(given().get("/q/swagger-ui/").then().extract().asString()).containsIgnoringCase("swagger");
    }

    private static JsonNode resolve(JsonNode doc, JsonNode schema) {
        String ref = schema.path("$ref").asText("");
        return ref.isEmpty() ? schema : doc.path("components").path("schemas").path(ref.substring(ref.lastIndexOf('/') + 1));
    }
}
