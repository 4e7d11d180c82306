package io.cahoots.agent.scaling;

import java.util.Optional;

/** Decides which of several agent replicas acts (a Kubernetes Lease; a fixed answer in tests). */
public interface Leadership {

    /** This replica's name in the lease. */
    String identity();

    /** Acquires or renews; true while this replica may act. Never throws: an unreachable API means "not sure". */
    boolean lead();

    /** Who holds the lease, as last seen. */
    Optional<String> holder();

    /** Gives the lease up so another replica can take over at once (on shutdown). */
    void release();
}
