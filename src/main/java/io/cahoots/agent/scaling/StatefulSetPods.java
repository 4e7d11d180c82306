package io.cahoots.agent.scaling;

import io.cahoots.agent.cluster.HostPort;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The Redis StatefulSet as the shard autoscaler uses it: a port onto the pods supervisor ({@code pods/PodsSupervisor}),
 * implemented in {@code boot/} so that neither package depends on the other. The supervisor stays the one writer of
 * {@code spec.replicas}: the autoscaler only asks, through the same annotation an operator uses.
 */
public interface StatefulSetPods {

    /** Off Kubernetes: no StatefulSet. */
    StatefulSetPods NONE = new StatefulSetPods() {
        @Override
        public boolean scalable() {
            return false;
        }

        @Override
        public Optional<View> view() {
            return Optional.empty();
        }

        @Override
        public void request(int replicas, String why) {
            throw new UnsupportedOperationException("no StatefulSet");
        }

        @Override
        public void reserve(Set<Integer> ordinals, String why) {
            throw new UnsupportedOperationException("no StatefulSet");
        }

        @Override
        public void release() {
        }
    };

    /** The pods come from Kubernetes, where a StatefulSet stands behind them (fixed for the agent's life). */
    boolean scalable();

    /** The pods supervisor's last look; empty until it has seen the StatefulSet. */
    Optional<View> view();

    /** Asks for {@code replicas} through the {@code cahoots.io/redis-replicas} annotation. */
    void request(int replicas, String why);

    /** The pods of these ordinals are joined by the shard step, not by the pods supervisor, until {@link #release}. */
    void reserve(Set<Integer> ordinals, String why);

    void release();

    /**
     * @param requested the {@code cahoots.io/redis-replicas} annotation, when set
     * @param pods      the pods of the StatefulSet (with an ordinal)
     */
    record View(String name, int specReplicas, OptionalInt requested, List<Pod> pods) {
        public View {
            pods = List.copyOf(pods);
        }

        public Optional<Pod> pod(int ordinal) {
            return pods.stream().filter(p -> p.ordinal() == ordinal && !p.deleting()).findFirst();
        }
    }

    /** @param nodeId the cluster node running in it, when the pods supervisor mapped one */
    record Pod(String name, int ordinal, Optional<HostPort> address, Optional<String> nodeId, boolean deleting) {
    }
}
