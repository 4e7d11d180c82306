package io.cahoots.agent.config;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API replica supervisor's validated settings. {@link #from(ScalingConfig)} throws
 * {@link InvalidSettingException} for the first bad value. Bounds and durations are checked even when
 * scaling is off, so a typo is found the day it is written rather than the day scaling is switched on; only
 * the Prometheus URL is required, and only when scaling is on.
 *
 * @param namespace      empty: the namespace the Kubernetes client finds (the pod's own)
 * @param interval       how often readings are taken and the policy runs
 * @param scaleDownAfter how long every reading must stay below half its threshold before one step down
 */
public record ScalingSettings(
        boolean enabled,
        Optional<String> namespace,
        String deployment,
        int minReplicas,
        int maxReplicas,
        int step,
        Optional<URI> prometheusUrl,
        double cpuPercent,
        double memoryPercent,
        double queueLength,
        double p95Ms,
        Duration sustain,
        Duration observe,
        String queryCpu,
        String queryMemory,
        String queryQueue,
        String queryP95,
        boolean dryRun,
        Duration interval,
        Duration scaleDownAfter,
        double redisLatencyMs,
        double redisMemoryPercent) implements SettingsGroup {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    public static ScalingSettings from(ScalingConfig c) {
        Optional<String> namespace = c.namespace().map(String::trim).filter(s -> !s.isEmpty());
        namespace.ifPresent(ns -> {
            if (!DNS_LABEL.matcher(ns).matches()) {
                throw new InvalidSettingException("AGENT_SCALING_NAMESPACE", quote(ns),
                        "a Kubernetes namespace name (lower-case letters, digits and '-', at most 63 characters)");
            }
        });
        String deployment = c.deployment().trim();
        if (!DNS_SUBDOMAIN.matcher(deployment).matches()) {
            throw new InvalidSettingException("AGENT_SCALING_DEPLOYMENT", quote(c.deployment()),
                    "a Kubernetes Deployment name (lower-case letters, digits, '-' and '.')");
        }
        SettingErrors.checked(ScalingConfig.class, c);
        if (c.maxReplicas() < c.minReplicas()) {
            throw new InvalidSettingException("AGENT_SCALING_MAX_REPLICAS", quote(String.valueOf(c.maxReplicas())),
                    "at least AGENT_SCALING_MIN_REPLICAS (" + c.minReplicas() + ")");
        }
        Optional<URI> prometheus = c.prometheusUrl().map(String::trim).filter(s -> !s.isEmpty())
                .map(ScalingSettings::prometheusUrl);
        if (c.enabled() && prometheus.isEmpty()) {
            throw new InvalidSettingException("AGENT_SCALING_PROMETHEUS_URL",
                    "is unset but AGENT_SCALING_ENABLED=true: the supervisor reads its triggers from Prometheus"
                            + " (e.g. http://prometheus.monitoring:9090)");
        }
        if (c.scaleDownAfter().compareTo(c.sustain()) < 0) {
            // Scaling down faster than scaling up is how a supervisor starts to oscillate.
            Syntax.Span span = new Syntax.Span();
            throw new InvalidSettingException("AGENT_SCALING_SCALE_DOWN_AFTER", quote(span.shown(c.scaleDownAfter())),
                    "at least AGENT_SCALING_SUSTAIN (" + span.shown(c.sustain()) + ")");
        }
        return new ScalingSettings(c.enabled(), namespace, deployment, c.minReplicas(), c.maxReplicas(), c.step(), prometheus,
                c.cpuPercent(), c.memoryPercent(), c.queueLength(), c.p95Ms(), c.sustain(), c.observe(),
                query("AGENT_SCALING_QUERY_CPU", c.queryCpu()),
                query("AGENT_SCALING_QUERY_MEMORY", c.queryMemory()),
                query("AGENT_SCALING_QUERY_QUEUE", c.queryQueue()),
                query("AGENT_SCALING_QUERY_P95", c.queryP95()),
                c.dryRun(), c.interval(), c.scaleDownAfter(), c.redisLatencyMs(), c.redisMemoryPercent());
    }

    /** The namespace to use when {@link #namespace()} is empty and the client knows none either. */
    public String namespaceOr(String fallback) {
        return namespace.orElse(fallback);
    }

    private static URI prometheusUrl(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getQuery() == null
                    && uri.getUserInfo() == null) {
                String text = uri.toString();
                return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            }
        } catch (java.net.URISyntaxException e) {
            // falls through to the one-line error
        }
        throw new InvalidSettingException("AGENT_SCALING_PROMETHEUS_URL", quote(value),
                "an http(s) base URL without query or credentials, such as http://prometheus.monitoring:9090");
    }

    private static String query(String variable, String value) {
        if (value.isBlank()) {
            throw new InvalidSettingException(variable, "''", "a PromQL expression (unset it to use the documented default)");
        }
        return value.trim();
    }

    private static String quote(String value) {
        return "'" + value + "'";
    }

    @Override
    public String toString() {
        return "ScalingSettings[enabled=" + enabled + ", deployment=" + namespace.orElse("<pod namespace>") + "/" + deployment
                + ", replicas " + minReplicas + ".." + maxReplicas + " step " + step + ", prometheus="
                + prometheusUrl.map(URI::toString).orElse("-") + ", cpu>" + cpuPercent + "% memory>" + memoryPercent
                + "% queue>" + queueLength + " p95>" + p95Ms + "ms, sustain=" + sustain + ", observe=" + observe
                + ", dryRun=" + dryRun + ", interval=" + interval + ", scaleDownAfter=" + scaleDownAfter + "]";
    }
}
