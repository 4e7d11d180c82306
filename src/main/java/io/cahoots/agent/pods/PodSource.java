package io.cahoots.agent.pods;

/**
 * Where the Redis pods come from: the Kubernetes API ({@code kube/KubernetesPods}) or, off Kubernetes, the nodes the
 * agent is configured with and the lab's spare-node provider ({@link AddressPods}).
 */
public interface PodSource {

    /** The StatefulSet annotation through which an operator asks for a replica count (see docs/kubernetes.md). */
    String REPLICAS_REQUEST = "cahoots.io/redis-replicas";

    /** One look at the pods; throws when the source cannot be read (the supervisor reports it and tries again). */
    PodList list();

    /** Sets the StatefulSet's {@code spec.replicas}; only called for a StatefulSet the last {@link #list} named. */
    default void scale(String statefulSet, int replicas) {
        throw new UnsupportedOperationException("this pod source has no StatefulSet to scale");
    }

    /**
     * Writes the {@value #REPLICAS_REQUEST} annotation, as an operator would: the shard autoscaler asks for a count this
     * way, so that the supervisor stays the one writer of {@code spec.replicas} (raised at once, lowered after the
     * drain). Only called for a StatefulSet the last {@link #list} named.
     */
    default void request(String statefulSet, int replicas) {
        throw new UnsupportedOperationException("this pod source has no StatefulSet to scale");
    }

    /** Records what the agent does or holds where the operator looks (a Kubernetes Event); best effort. */
    default void event(String statefulSet, boolean warning, String reason, String message) {
    }

    /** For the status: where the pods come from. */
    String describe();

    /** Can {@link #scale} be called: a StatefulSet is behind the pods. */
    default boolean scalable() {
        return false;
    }
}
