package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.ClusterSnapshot;

import java.util.List;

/** The cluster is not in a state where slots may be moved; carries the snapshot whose check says why. */
public class PreflightException extends RuntimeException {

    private final transient ClusterSnapshot snapshot;

    public PreflightException(List<String> reasons, ClusterSnapshot snapshot) {
        super("the cluster is not ready for a change: " + String.join("; ", reasons));
        this.snapshot = snapshot;
    }

    public ClusterSnapshot snapshot() {
        return snapshot;
    }
}
