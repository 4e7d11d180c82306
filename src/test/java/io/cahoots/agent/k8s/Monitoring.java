package io.cahoots.agent.k8s;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.util.List;
import java.util.Map;

/**
 * Typed models of the two Prometheus Operator resources the kit ships ({@code monitoring.coreos.com/v1}), with the
 * field names of the operator's API reference. Only the fields the kit may use exist: any other field is unknown and
 * fails {@link StrictYaml#load} (Fabric8 has no typed model for them without an extra dependency).
 */
final class Monitoring {

    private Monitoring() {
    }

    record ServiceMonitor(String apiVersion, String kind, ObjectMeta metadata, ServiceMonitorSpec spec) {
    }

    record ServiceMonitorSpec(LabelSelector selector, List<Endpoint> endpoints, NamespaceSelector namespaceSelector,
                              String jobLabel) {
    }

    /** @param port the name of a port of the selected Services */
    record Endpoint(String port, String path, String interval, String scrapeTimeout, String scheme) {
    }

    record NamespaceSelector(Boolean any, List<String> matchNames) {
    }

    record PrometheusRule(String apiVersion, String kind, ObjectMeta metadata, PrometheusRuleSpec spec) {
    }

    record PrometheusRuleSpec(List<RuleGroup> groups) {
    }

    record RuleGroup(String name, String interval, List<Rule> rules) {
    }

    record Rule(String alert, String record, String expr, @JsonProperty("for") String forDuration,
                Map<String, String> labels, Map<String, String> annotations) {
    }
}
