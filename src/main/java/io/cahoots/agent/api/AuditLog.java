package io.cahoots.agent.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.regex.Pattern;

/**
 * One line and one count for every mutating request, accepted or refused: who (the token's fingerprint), what
 * (method and path), from where (remote address) and the result. The log category {@code io.cahoots.agent.audit}
 * can be routed apart from the rest. The meter {@code cahoots_audit_requests_total} is tagged with the result, the
 * method and the route: ids in paths become {@code {id}} so the tags stay bounded.
 */
@Singleton
public class AuditLog {

    private static final Logger LOG = Logger.getLogger("io.cahoots.agent.audit");
    private static final Pattern ID_SEGMENT = Pattern.compile("^(/api/v1/(?:jobs|cluster/nodes))/[^/]+(/cancel)?$");
    private static final java.util.Set<String> ROUTES = java.util.Set.of("/api/v1/rebalance", "/api/v1/cluster/nodes",
            "/api/v1/cluster/fix", "/api/v1/capacity", "/api/v1/jobs/{id}/cancel", "/api/v1/cluster/nodes/{id}");

    private final MeterRegistry registry;

    public AuditLog(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(String method, String path, String remote, String authorizationHeader, String result) {
        String fingerprint = AdminAuth.fingerprint(authorizationHeader);
        // Path and address come from the client: strip control characters so one request is one log line.
        LOG.infof("audit result=%s token=%s method=%s path=%s remote=%s", result, fingerprint, clean(method),
                clean(path), clean(remote));
        Counter.builder("cahoots.audit.requests").description("Mutating API requests, accepted or refused")
                .tag("result", result).tag("method", bounded(method)).tag("route", route(path))
                .register(registry).increment();
    }

    static String route(String path) {
        if (path == null) {
            return "other";
        }
        String r = ID_SEGMENT.matcher(path).replaceFirst(m -> m.group(1) + "/{id}" + (m.group(2) == null ? "" : m.group(2)));
        return ROUTES.contains(r) ? r : "other";
    }

    private static String bounded(String method) {
        return method != null && method.matches("POST|PUT|PATCH|DELETE") ? method : "other";
    }

    private static String clean(String s) {
        if (s == null) {
            return "-";
        }
        String c = s.replaceAll("[^\\x21-\\x7e]", "?");
        return c.length() > 200 ? c.substring(0, 200) + "..." : c;
    }
}
