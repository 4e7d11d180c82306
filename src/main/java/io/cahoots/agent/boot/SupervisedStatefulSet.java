package io.cahoots.agent.boot;

import io.cahoots.agent.pods.PodList;
import io.cahoots.agent.pods.PodsSupervisor;
import io.cahoots.agent.pods.RedisPods;
import io.cahoots.agent.scaling.StatefulSetPods;

import java.util.Optional;
import java.util.Set;

/**
 * The shard autoscaler's {@link StatefulSetPods} over the pods supervisor: its last pod list and node mapping, and its
 * request path (the {@code cahoots.io/redis-replicas} annotation). Here in {@code boot/} so that {@code scaling/} and
 * {@code pods/} do not depend on each other.
 */
final class SupervisedStatefulSet implements StatefulSetPods {

    private final PodsSupervisor pods;

    SupervisedStatefulSet(PodsSupervisor pods) {
        this.pods = pods;
    }

    @Override
    public boolean scalable() {
        return pods.scalable();
    }

    @Override
    public Optional<View> view() {
        PodList list = pods.lastList();
        if (list.statefulSet().isEmpty() || list.specReplicas().isEmpty()) {
            return Optional.empty();
        }
        RedisPods mapping = pods.mapping();
        return Optional.of(new View(list.statefulSet().get(), list.specReplicas().getAsInt(), list.requestedReplicas(),
                list.pods().stream().filter(p -> p.ordinal().isPresent())
                        .map(p -> new Pod(p.name(), p.ordinal().getAsInt(), p.address(), mapping.nodeOf(p.name()), p.deleting()))
                        .toList()));
    }

    @Override
    public void request(int replicas, String why) {
        pods.requestReplicas(replicas, why);
    }

    @Override
    public void reserve(Set<Integer> ordinals, String why) {
        pods.reserve(ordinals, why);
    }

    @Override
    public void release() {
        pods.release();
    }
}
