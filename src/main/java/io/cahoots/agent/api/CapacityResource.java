package io.cahoots.agent.api;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import com.fasterxml.jackson.databind.JsonNode;
import io.cahoots.agent.config.ScalingSettings;
import io.cahoots.agent.scaling.decision.CapacityPlan;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /api/v1/capacity}: the strategy's sizing formula ({@link CapacityPlan}) with the supervisor's replica
 * bounds. It changes nothing, but like every POST under {@code /api/v1} it needs the admin token: the filter's rule is
 * "reads are GET", one rule without exceptions to audit.
 *
 * <p>The body is read field by field rather than bound to a record, so that a wrong, missing or misspelt field
 * is a 400 naming that field (a typo such as {@code peakfactor} would otherwise silently fall back to a default).
 */
@Path("/api/v1/capacity")
public class CapacityResource {

    static final List<String> FIELDS = List.of("requestsPerSecond", "cpuSecondsPerRequest", "activeUsers",
            "memoryPerUserBytes", "overheadPercent", "peakFactor", "podCpuCores", "podMemoryBytes", "targetUtilizationPercent");

    private final ScalingSettings settings;

    public CapacityResource(ScalingSettings settings) {
        this.settings = settings;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = CapacityRequest.class),
            examples = @ExampleObject(name = "the strategy's example", value = """
                    {"requestsPerSecond": 1200, "cpuSecondsPerRequest": 0.002, "activeUsers": 50000,
                     "memoryPerUserBytes": 20000, "podCpuCores": 1, "podMemoryBytes": 1073741824}""")))
    public CapacityView plan(JsonNode body) {
        CapacityPlan.Input in = input(body);
        return CapacityView.of(CapacityPlan.plan(in, settings.minReplicas(), settings.maxReplicas()),
                settings.minReplicas(), settings.maxReplicas());
    }

    static CapacityPlan.Input input(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiProblem.badRequest("the body must be a JSON object with the fields " + String.join(", ", FIELDS));
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiProblem.badRequest("unknown field '" + name + "'; the fields are " + String.join(", ", FIELDS));
            }
        }
        double activeUsers = number(body, "activeUsers", null, 0, true, Double.MAX_VALUE);
        if (activeUsers != Math.rint(activeUsers)) {
            throw ApiProblem.badRequest("activeUsers: expected a whole number, got " + body.get("activeUsers"));
        }
        return new CapacityPlan.Input(
                number(body, "requestsPerSecond", null, 0, false, Double.MAX_VALUE),
                number(body, "cpuSecondsPerRequest", null, 0, false, Double.MAX_VALUE),
                (long) activeUsers,
                number(body, "memoryPerUserBytes", null, 0, true, Double.MAX_VALUE),
                number(body, "overheadPercent", CapacityPlan.DEFAULT_OVERHEAD_PERCENT, 20, true, 30),
                number(body, "peakFactor", CapacityPlan.DEFAULT_PEAK_FACTOR, 2, true, 3),
                number(body, "podCpuCores", null, 0, false, Double.MAX_VALUE),
                number(body, "podMemoryBytes", null, 0, false, Double.MAX_VALUE),
                number(body, "targetUtilizationPercent", CapacityPlan.DEFAULT_TARGET_UTILIZATION_PERCENT, 0, false, 100));
    }

    /**
     * @param fallback      null: the field is required
     * @param minInclusive  whether {@code min} itself is allowed
     */
    private static double number(JsonNode body, String field, Double fallback, double min, boolean minInclusive, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw ApiProblem.badRequest(field + " is required: " + expected(min, minInclusive, max));
            }
            return fallback;
        }
        double d = v.isNumber() ? v.asDouble() : Double.NaN;
        if (!Double.isFinite(d) || d > max || (minInclusive ? d < min : d <= min)) {
            throw ApiProblem.badRequest(field + ": " + expected(min, minInclusive, max) + ", got " + v);
        }
        return d;
    }

    private static String expected(double min, boolean minInclusive, double max) {
        String low = (minInclusive ? "at least " : "greater than ") + plain(min);
        return "expected a number " + (max == Double.MAX_VALUE ? low : low + " and at most " + plain(max));
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%s", d);
    }
}
