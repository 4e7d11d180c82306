package io.cahoots.agent.pods;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Where a new pod goes and which pods leave first; pure functions of a snapshot and the pod mapping. */
public final class PodPlanner {

    private PodPlanner() {
    }

    /**
     * The master a new replica follows: among reachable masters with slots, the one with the fewest replicas; among
     * those, one on another Kubernetes node than the new pod (a replica beside its master does not survive the loss of
     * that node); then the lowest id.
     */
    public static Optional<ClusterNode> masterFor(ClusterSnapshot s, RedisPods pods, Optional<String> kubeNode) {
        return s.masters().stream().filter(m -> m.metrics().isPresent() && m.slotCount() > 0)
                .min(Comparator.comparingInt((ClusterNode m) -> s.replicasOf(m.id()).size())
                        .thenComparingInt(m -> kubeNode.isPresent() && pods.kubeNodeOf(m.id()).equals(kubeNode) ? 1 : 0)
                        .thenComparing(ClusterNode::id));
    }

    /**
     * The members whose pods a StatefulSet of {@code replicas} no longer keeps (ordinal {@code >= replicas}), in the
     * order they are taken out: replicas first (nothing to drain, and none gets re-pointed for nothing), then masters
     * from the highest ordinal.
     */
    public static List<ClusterNode> leaving(ClusterSnapshot s, RedisPods pods, int replicas) {
        return s.nodes().stream().filter(n -> ordinal(pods, n).isPresent() && ordinal(pods, n).getAsInt() >= replicas)
                .sorted(Comparator.comparing(ClusterNode::isMaster)
                        .thenComparing(Comparator.comparingInt((ClusterNode n) -> ordinal(pods, n).getAsInt()).reversed()))
                .toList();
    }

    /** Slots held by the members that {@link #leaving} names. */
    public static int slotsLeaving(List<ClusterNode> leaving) {
        return leaving.stream().mapToInt(ClusterNode::slotCount).sum();
    }

    private static OptionalInt ordinal(RedisPods pods, ClusterNode n) {
        return pods.podOf(n.id()).map(RedisPod::ordinal).orElse(OptionalInt.empty());
    }
}
