package io.cahoots.agent.pods;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the pod source saw in one look.
 *
 * @param statefulSet       the StatefulSet owning the pods (the first owner found), when there is one
 * @param specReplicas      its {@code spec.replicas}
 * @param requestedReplicas its {@value PodSource#REPLICAS_REQUEST} annotation: the count an operator asked the agent
 *                          for, which the agent applies to {@code spec.replicas} once no slot would be lost
 */
public record PodList(List<RedisPod> pods, Optional<String> statefulSet, OptionalInt specReplicas,
                      OptionalInt requestedReplicas) {

    public PodList {
        pods = List.copyOf(pods);
    }

    public static PodList of(List<RedisPod> pods) {
        return new PodList(pods, Optional.empty(), OptionalInt.empty(), OptionalInt.empty());
    }
}
