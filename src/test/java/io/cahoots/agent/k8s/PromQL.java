package io.cahoots.agent.k8s;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads. Enough of the grammar for the kit's expressions: strings, label
 * matchers, range and offset brackets, grouping clauses and function calls are removed, and what is left that
 * looks like an identifier and is not a keyword is a metric name.
 */
final class PromQL {

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "inf", "nan");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private PromQL() {
    }

    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")      // strings
                .replaceAll("\\{[^}]*}", " ")                               // label matchers
                .replaceAll("\\[[^]]*]", " ")                               // ranges, subqueries
                .replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\b[a-zA-Z_]+\\s*\\(", "(")                     // function and aggregation names
                .replaceAll("\\b\\d+(ms|s|m|h|d|w|y)\\b", " ")                   // durations (offset 1h)
                .replaceAll("\\b\\d+(\\.\\d+)?(e[+-]?\\d+)?\\b", " ");         // numbers
        Set<String> out = new LinkedHashSet<>();
        Matcher m = IDENT.matcher(s);
        while (m.find()) {
            if (!KEYWORDS.contains(m.group().toLowerCase())) {
                out.add(m.group());
            }
        }
        return out;
    }

    /** Grafana's variables, replaced by values promtool accepts: the dashboard's jobs by their defaults. */
    static String withoutGrafanaVariables(String expr) {
        return expr.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$__range", "1h")
                .replace("$agent_job", "cahoots-agent").replace("$api_job", "cahoots-api")
                .replace("$namespace", ".*").replace("$cluster", ".*");
    }
}
