package io.cahoots.agent.scaling;

import java.util.Optional;

/** The workload whose replicas the agent supervises (a Kubernetes Deployment; a fake in tests). */
public interface ReplicaTarget {

    /**
     * @param replicas   the desired replicas as set on the workload now
     * @param handsOff   why the agent must only advise (an autoscaler targets it, or that cannot be checked)
     */
    record State(int replicas, Optional<String> handsOff) {
    }

    /** {@code namespace/name}, for messages. */
    String describe();

    State read() throws ScalingException;

    /**
     * Sets the replicas to {@code to}, provided they still are {@code from}. Idempotent: already {@code to} is a
     * success without a write.
     *
     * @throws ScalingException when the replicas are neither (someone else changed them) or the write fails
     */
    void scale(int from, int to) throws ScalingException;
}
