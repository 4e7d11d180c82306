package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.HostPort;

import java.time.Duration;
import java.util.Optional;

/**
 * Restarts one Redis node's process, keeping what makes it the same node (its {@code nodes.conf}, its data dir):
 * the lab restarts the {@code redis-server} process, Kubernetes deletes the pod and its StatefulSet recreates it.
 * Implemented outside the executor ({@code boot/LabRestarter}, {@code scaling/kube/KubernetesPodRestarter}).
 */
public interface NodeRestarter {

    /**
     * Restarts the node at {@code address} and returns once its process answers again (it may still be loading or
     * syncing: the roll waits for that itself).
     *
     * @return the node's address now (a pod comes back with a new IP)
     * @throws NodeRestartException when it cannot be restarted, or is not back within {@code timeout}
     */
    HostPort restart(HostPort address, Duration timeout) throws InterruptedException;

    /** What restarts nodes here, for the plan and the log ({@code lab}, {@code kubernetes}). */
    String kind();

    /** Why nodes cannot be restarted here; empty when they can. */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /**
     * Whether it can restart the data nodes of the Sentinel groups the agent watches too (the lab: yes; Kubernetes:
     * not yet, its selector names the cluster's pods only). When not, a roll leaves those groups alone.
     */
    default boolean restartsSentinelGroups() {
        return true;
    }

    /** Bare machines: the agent has no way to restart a Redis process. */
    NodeRestarter NONE = new NodeRestarter() {
        @Override
        public HostPort restart(HostPort address, Duration timeout) {
            throw new NodeRestartException(unavailable().orElseThrow());
        }

        @Override
        public String kind() {
            return "none";
        }

        @Override
        public Optional<String> unavailable() {
            return Optional.of("the agent cannot restart Redis nodes here: it restarts them in its own lab (AGENT_LAB=true)"
                    + " or on Kubernetes (set AGENT_KUBE_REDIS_NAMESPACE and AGENT_KUBE_REDIS_SELECTOR); on bare machines"
                    + " restart each node yourself, replicas first, masters after CLUSTER FAILOVER on a replica");
        }
    };
}
