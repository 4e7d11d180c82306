package io.cahoots.agent.boot;

import io.cahoots.agent.config.KubeSettings;
import io.cahoots.agent.executor.NodeRestarter;
import io.cahoots.agent.executor.SentinelGroups;
import io.cahoots.agent.kube.KubePodsConnector;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * What restarts Redis nodes for a roll: the lab's processes when the agent runs its own lab; pods on Kubernetes when
 * {@code AGENT_KUBE_REDIS_SELECTOR} is set; otherwise nothing (a roll then answers 409 and says why).
 */
public class RollBeans {

    private static final Logger LOG = Logger.getLogger(RollBeans.class);

    @Produces
    @Singleton
    NodeRestarter nodeRestarter(LabSupervisor lab, KubeSettings kube, KubePodsConnector connector,
                                io.cahoots.agent.config.Settings settings) {
        // Settings first: producing them starts the lab when AGENT_LAB=true.
        if (settings.lab() && lab.lab().isPresent()) {
            return new LabRestarter(lab.lab().get());
        }
        if (kube.onKubernetes()) {
            LOG.infof("roll: Redis nodes are restarted by deleting their pods (namespace %s, selector %s)",
                    kube.namespace().orElse("of the agent"), kube.selector());
            return connector.restarter(kube);
        }
        return NodeRestarter.NONE;
    }

    /** The Sentinel groups a roll restarts after the cluster: those the Sentinel watcher watches (none when it is off). */
    @Produces
    @Singleton
    SentinelGroups sentinelGroups(io.cahoots.agent.sentinel.SentinelWatcher watcher, io.cahoots.agent.redis.RedisConnections connections) {
        if (!watcher.enabled()) {
            return SentinelGroups.NONE;
        }
        return new SentinelRollGroups(watcher, new io.cahoots.agent.redis.SentinelClient(connections));
    }
}
