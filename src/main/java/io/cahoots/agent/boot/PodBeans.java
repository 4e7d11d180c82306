package io.cahoots.agent.boot;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.KubeSettings;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.kube.KubePodsConnector;
import io.cahoots.agent.pods.AddressPods;
import io.cahoots.agent.pods.PodSource;
import io.cahoots.agent.pods.PodsSupervisor;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.scaling.SpareNodeSource;
import io.cahoots.agent.scaling.StatefulSetPods;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the Redis pods supervisor finds its pods: the Kubernetes API when {@code AGENT_KUBE_REDIS_SELECTOR} is set,
 * else the configured seeds plus, in the lab, the lab's cluster nodes (wherever they moved) and its spare nodes.
 */
public class PodBeans {

    @Produces
    @Singleton
    PodSource podSource(KubeSettings kube, Settings settings, KubePodsConnector kubernetes, LabSupervisor lab,
                        SpareNodeSource spares) {
        if (kube.onKubernetes()) {
            return kubernetes.connect(kube);
        }
        return new AddressPods(settings.clusterNodes(), () -> {
            List<HostPort> known = new ArrayList<>(lab.lab().map(RedisLab::clusterNodes).orElse(List.of()));
            known.addAll(spares.spareNodes());
            return known;
        });
    }

    /** The shard autoscaler's StatefulSet: the pods supervisor's, on Kubernetes (off it, {@code scalable()} is false). */
    @Produces
    @Singleton
    StatefulSetPods statefulSetPods(PodsSupervisor pods) {
        return new SupervisedStatefulSet(pods);
    }
}
