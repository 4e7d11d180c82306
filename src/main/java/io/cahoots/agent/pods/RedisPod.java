package io.cahoots.agent.pods;

import io.cahoots.agent.cluster.HostPort;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Redis pod as the agent needs it: where its Redis answers, which replica of its StatefulSet it is, and on which
 * Kubernetes node it runs. Off Kubernetes a "pod" is a known node address with no ordinal and no node.
 *
 * @param address  pod IP and Redis port; empty while the pod has no IP (pending)
 * @param ordinal  from the StatefulSet's naming ({@code redis-cluster-7} is 7); empty for other pods
 * @param kubeNode the Kubernetes node ({@code spec.nodeName}) it is scheduled on
 * @param ready    the pod's {@code Ready} condition
 * @param deleting the pod has a deletion timestamp: it is going away
 */
public record RedisPod(String name, Optional<HostPort> address, OptionalInt ordinal, Optional<String> kubeNode,
                       boolean ready, boolean deleting) {

    private static final Pattern ORDINAL = Pattern.compile(".*-(\\d{1,9})");

    /** The ordinal a StatefulSet gives a pod: the number after its last dash, when it is the set's name plus one. */
    public static OptionalInt ordinalOf(String podName, Optional<String> statefulSet) {
        Matcher m = ORDINAL.matcher(podName);
        if (!m.matches()) {
            return OptionalInt.empty();
        }
        if (statefulSet.isPresent() && !podName.equals(statefulSet.get() + "-" + m.group(1))) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(m.group(1)));
    }

    /** A known address off Kubernetes: named after it, no ordinal, no node. */
    public static RedisPod bare(HostPort address) {
        return new RedisPod(address.toString(), Optional.of(address), OptionalInt.empty(), Optional.empty(), true, false);
    }
}
