package io.cahoots.agent.planner;

import java.util.List;

/**
 * The order of a rolling restart: every node of the cluster once, replicas first, then each master after a failover
 * to one of its replicas; then each Sentinel-managed group the same way (replicas, then the primary after a
 * {@code SENTINEL FAILOVER}).
 *
 * @param snapshotVersion the topology version the plan was made from
 * @param steps           in execution order; one step restarts one node
 */
public record RollPlan(long snapshotVersion, List<Step> steps) {

    public RollPlan {
        steps = List.copyOf(steps);
    }

    /** What a step does before restarting its node. */
    public enum Kind {
        /** Restart a replica: no slot is served by it, clients never notice. */
        RESTART_REPLICA,
        /** {@code CLUSTER FAILOVER} on {@code failoverToId}, wait until the cluster agrees it is master, then restart. */
        FAILOVER_THEN_RESTART,
        /** Restart a replica of a Sentinel-managed group ({@code group}); its primary keeps serving. */
        RESTART_SENTINEL_REPLICA,
        /**
         * {@code SENTINEL FAILOVER group}, wait until a majority of its Sentinels name the new primary, that one is
         * master and this node follows it, then restart this node (the group's primary when planned).
         */
        SENTINEL_FAILOVER_THEN_RESTART
    }

    /**
     * @param nodeId         the node restarted
     * @param address        its address when planned ({@code host:port})
     * @param role           {@code master} or {@code replica} when planned
     * @param slots          slots it served when planned
     * @param failoverToId   for a master: the replica that takes its slots over first
     * @param failoverToAddress that replica's address (for a Sentinel group: the replica expected to be promoted;
     *                       the Sentinels choose)
     * @param group          for the Sentinel kinds: the Sentinel master name of the node's group; null for cluster nodes
     *                       (whose {@code nodeId} is their cluster id; a Sentinel group's node is named by its address)
     */
    public record Step(int index, Kind kind, String nodeId, String address, String role, int slots, String failoverToId,
                       String failoverToAddress, String group) {

        public boolean sentinel() {
            return group != null;
        }
    }

    public int nodes() {
        return steps.size();
    }
}
