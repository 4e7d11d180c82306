package io.cahoots.agent.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The validated settings of the Redis pods supervisor; {@link #from} throws {@link InvalidSettingException} (one line
 * naming the variable) for the first bad value.
 *
 * @param namespace the Redis pods' namespace; empty: the agent's own (from the service account)
 * @param selector  the equality requirements of {@code AGENT_KUBE_REDIS_SELECTOR}, in order; empty: not on Kubernetes
 * @param joinAs    how a new pod joins
 */
public record KubeSettings(Optional<String> namespace, Map<String, String> selector, JoinAs joinAs) implements SettingsGroup {

    public enum JoinAs { REPLICA, MASTER }

    /** {@code replica} or {@code master}, for {@code AGENT_KUBE_JOIN_AS}. */
    public static final class JoinAsName extends Syntax.Choice<JoinAs> {
        public JoinAsName() {
            super(JoinAs.class);
        }

        @Override
        public JoinAs convert(String value) {
            return super.convert(value);
        }
    }

    /** A DNS-1123 label, as Kubernetes requires of a namespace name. */
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** A label key: optional DNS-subdomain prefix and a name of 1-63 characters. */
    private static final Pattern KEY = Pattern.compile("([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    public KubeSettings {
        selector = Map.copyOf(selector);
    }

    /** True when the agent looks for its Redis pods in the Kubernetes API. */
    public boolean onKubernetes() {
        return !selector.isEmpty();
    }

    public static KubeSettings from(KubeConfig c) {
        Optional<String> namespace = c.redisNamespace().map(String::trim).filter(s -> !s.isEmpty());
        if (namespace.isPresent() && !NAMESPACE.matcher(namespace.get()).matches()) {
            throw new InvalidSettingException("AGENT_KUBE_REDIS_NAMESPACE", "'" + c.redisNamespace().get() + "'",
                    "a namespace name (lower-case letters, digits and '-', at most 63)");
        }
        Map<String, String> selector = selector(c.redisSelector().orElse(""));
        if (namespace.isPresent() && selector.isEmpty()) {
            throw new InvalidSettingException("AGENT_KUBE_REDIS_NAMESPACE",
                    "is set but AGENT_KUBE_REDIS_SELECTOR is not: name the labels of the Redis pods too");
        }
        return new KubeSettings(namespace, selector, c.joinAs());
    }

    /** {@code key=value,key2=value2} (also {@code ==}); set-based requirements are not supported. */
    static Map<String, String> selector(String value) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value.isBlank()) {
            return out;
        }
        for (String part : value.split(",", -1)) {
            String p = part.trim();
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq).trim();
            String v = eq < 0 ? null : p.substring(p.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
            if (v == null || key.endsWith("!") || !KEY.matcher(key).matches() || !VALUE.matcher(v).matches() || out.containsKey(key)) {
                throw new InvalidSettingException("AGENT_KUBE_REDIS_SELECTOR", "'" + value + "'",
                        "comma-separated label=value pairs such as app.kubernetes.io/name=redis-cluster (bad: '" + p + "')");
            }
            out.put(key, v);
        }
        return out;
    }
}
