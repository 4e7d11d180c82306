package io.cahoots.agent.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cahoots.agent.executor.BadRequestException;
import io.cahoots.agent.executor.JobConflictException;
import io.cahoots.agent.executor.PreflightException;
import io.cahoots.agent.executor.StalePlanException;
import io.cahoots.agent.executor.UnknownJobException;
import io.cahoots.agent.planner.PlanningException;
import io.cahoots.agent.redis.RedisException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place where exceptions become HTTP answers, all in one JSON shape. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    public static Response response(int status, String type, String title, String detail, Object report) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem("/problems/" + type, title, status, detail, report)).build();
    }

    @ServerExceptionMapper
    public Response apiProblem(ApiProblem e) {
        return response(e.status(), e.type(), e.title(), e.getMessage(), e.extra());
    }

    /**
     * Redis could not be used: 503 either way, since the agent cannot answer without it. Refused credentials are
     * named as such (type {@code redis-auth-refused}): retrying will not help, the agent's settings must change.
     */
    @ServerExceptionMapper
    public Response redis(RedisException e) {
        if (e instanceof RedisException.AuthFailed) {
            return response(503, "redis-auth-refused", "Redis refused the agent's credentials",
                    "the agent's Redis credentials were refused (check AGENT_REDIS_USERNAME, AGENT_REDIS_PASSWORD and"
                            + " the ACL): " + withoutJavaNames(e.getMessage()), null);
        }
        return response(503, "redis-unavailable", "Redis unavailable", withoutJavaNames(e.getMessage()), null);
    }

    @ServerExceptionMapper
    public Response badRequest(BadRequestException e) {
        return response(400, "invalid-request", "Invalid request", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response unknownJob(UnknownJobException e) {
        return response(404, "not-found", "Not found", e.getMessage(), null);
    }

    /** Client libraries prefix their messages with their exception class; the operator needs the words after it. */
    static String withoutJavaNames(String message) {
        return message == null ? null : message.replaceAll("\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*:?\\s*", "");
    }

    @ServerExceptionMapper
    public Response preflight(PreflightException e) {
        return response(409, "cluster-not-ready", "Conflict", e.getMessage(), ClusterView.check(e.snapshot()));
    }

    @ServerExceptionMapper
    public Response oversizedKeys(io.cahoots.agent.executor.KeyLimitCheck.OversizedKeysException e) {
        return response(409, "oversized-keys", "Conflict", e.getMessage(), java.util.Map.of("oversizedKeys", e.keys()));
    }

    @ServerExceptionMapper
    public Response jobConflict(JobConflictException e) {
        return response(409, "job-running", "Conflict", e.getMessage(),
                e.runningJobId() == null ? null : java.util.Map.of("runningJob", e.runningJobId()));
    }

    @ServerExceptionMapper
    public Response nodeRefused(io.cahoots.agent.executor.NodeRefusedException e) {
        return response(409, "node-refused", "Conflict", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response rollRefused(io.cahoots.agent.executor.RollRefusedException e) {
        return response(409, "roll-refused", "Conflict", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response unknownNode(io.cahoots.agent.executor.UnknownNodeException e) {
        return response(404, "not-found", "Not found", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response stalePlan(StalePlanException e) {
        return response(409, "stale-plan", "Conflict", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response planning(PlanningException e) {
        return response(400, "invalid-request", "Invalid request", e.getMessage(), null);
    }

    /** Unknown fields, wrong types: named explicitly so Quarkus' own body-less mapper does not win. */
    @ServerExceptionMapper
    public Response mismatchedJson(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response unparsableJson(com.fasterxml.jackson.core.JsonParseException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return response(400, "malformed-json", "Malformed JSON", JsonProblems.detail(e), null);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        // The status line says it all; the exception's message may quote framework internals.
        String detail = status == 404 ? "no such resource" : status == 405 ? "method not allowed here"
                : status == 415 ? "send the body as application/json" : "request refused";
        if (status >= 500) {
            return unexpected(e);
        }
        return response(status, status == 404 ? "not-found" : "http-" + status,
                Response.Status.fromStatusCode(status) != null ? Response.Status.fromStatusCode(status).getReasonPhrase() : "Error",
                detail, null);
    }

    /**
     * Anything not foreseen: the cause goes to the log under a short reference, the client gets the reference and
     * nothing else (an exception's class and message describe the agent's insides, not the request).
     */
    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        String ref = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        LOG.errorf(e, "unexpected error answering a request (ref %s)", ref);
        return response(500, "internal", "Internal error",
                "the agent could not answer this request; its log has the cause under ref " + ref, null);
    }
}
