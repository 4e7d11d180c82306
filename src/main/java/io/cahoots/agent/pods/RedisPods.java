package io.cahoots.agent.pods;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which cluster node runs in which pod: a pure function of a pod list and a snapshot.
 *
 * <ol>
 *   <li>A node and a pod match when the node's address is the pod's (IP and port), or, failing that, when the node
 *       announces the pod's name as its hostname ({@code cluster-announce-hostname}) -- a node whose peers still list
 *       an old IP is then still found.</li>
 *   <li>A pod matched by no node is {@link #unmappedPods() unmapped}: a new pod (empty, knowing nobody) or one whose
 *       node the cluster does not list at its current address yet (being healed).</li>
 *   <li>A node matched by no pod is {@link #unmappedNodes() unmapped}: off Kubernetes, or a pod already gone.</li>
 * </ol>
 */
public final class RedisPods {

    private final Map<String, RedisPod> byNode;
    private final List<RedisPod> unmappedPods;
    private final List<String> unmappedNodes;

    private RedisPods(Map<String, RedisPod> byNode, List<RedisPod> unmappedPods, List<String> unmappedNodes) {
        this.byNode = Map.copyOf(byNode);
        this.unmappedPods = List.copyOf(unmappedPods);
        this.unmappedNodes = List.copyOf(unmappedNodes);
    }

    public static RedisPods empty() {
        return new RedisPods(Map.of(), List.of(), List.of());
    }

    public static RedisPods map(List<RedisPod> pods, ClusterSnapshot snapshot) {
        Map<String, RedisPod> byNode = new LinkedHashMap<>();
        List<RedisPod> unmatched = new ArrayList<>(pods);
        List<String> unmappedNodes = new ArrayList<>();
        for (ClusterNode n : snapshot.nodes()) {
            Optional<RedisPod> pod = unmatched.stream().filter(p -> p.address().isPresent() && p.address().equals(n.address()))
                    .findFirst()
                    .or(() -> unmatched.stream().filter(p -> n.hostname().filter(p.name()::equals).isPresent()).findFirst());
            if (pod.isPresent()) {
                byNode.put(n.id(), pod.get());
                unmatched.remove(pod.get());
            } else {
                unmappedNodes.add(n.id());
            }
        }
        return new RedisPods(byNode, unmatched, unmappedNodes);
    }

    public Optional<RedisPod> podOf(String nodeId) {
        return Optional.ofNullable(byNode.get(nodeId));
    }

    public Optional<String> nodeOf(String podName) {
        return byNode.entrySet().stream().filter(e -> e.getValue().name().equals(podName)).map(Map.Entry::getKey).findFirst();
    }

    /** Node id -> pod, in the snapshot's node order. */
    public Map<String, RedisPod> byNode() {
        return byNode;
    }

    public List<RedisPod> unmappedPods() {
        return unmappedPods;
    }

    public List<String> unmappedNodes() {
        return unmappedNodes;
    }

    /** The Kubernetes node a cluster node runs on, when known. */
    public Optional<String> kubeNodeOf(String nodeId) {
        return podOf(nodeId).flatMap(RedisPod::kubeNode);
    }

    /** The address a pod of this name has now. */
    public static Optional<HostPort> addressOf(List<RedisPod> pods, String name) {
        return pods.stream().filter(p -> p.name().equals(name)).findFirst().flatMap(RedisPod::address);
    }
}
