package io.cahoots.agent.api;

/**
 * An error meant for the HTTP client, rendered as {@code application/problem+json} by {@link ProblemMapper}.
 * {@code type} is a short stable slug (e.g. {@code cluster-unreachable}) that clients can switch on.
 */
public class ApiProblem extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final Object extra;

    public ApiProblem(int status, String type, String title, String detail) {
        this(status, type, title, detail, null);
    }

    /** @param extra an object merged into the body under {@code "report"}, e.g. a failed check */
    public ApiProblem(int status, String type, String title, String detail, Object extra) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.extra = extra;
    }

    public static ApiProblem badRequest(String detail) {
        return new ApiProblem(400, "invalid-request", "Invalid request", detail);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "not-found", "Not found", detail);
    }

    public static ApiProblem conflict(String type, String detail, Object report) {
        return new ApiProblem(409, type, "Conflict", detail, report);
    }

    public static ApiProblem unavailable(String type, String detail) {
        return new ApiProblem(503, type, "Redis unavailable", detail);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public Object extra() {
        return extra;
    }
}
