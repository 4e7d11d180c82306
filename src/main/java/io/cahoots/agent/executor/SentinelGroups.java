package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.planner.RollPlanner;

import java.util.List;
import java.util.Optional;

/**
 * The Sentinel-managed groups a roll restarts after the cluster, and the commands it needs on them. Implemented in
 * {@code boot/SentinelRollGroups} over the Sentinel watcher and {@code redis/SentinelClient}.
 */
public interface SentinelGroups {

    /**
     * What one data node of a group says about itself ({@code INFO}).
     *
     * @param master  {@code role:master}
     * @param linkUp  for a replica {@code master_link_status:up}; true on a master
     * @param masterAddress for a replica, the primary it follows ({@code master_host:master_port})
     */
    record DataNodeStatus(boolean master, boolean linkUp, boolean syncing, boolean loading, long offset,
                          Optional<HostPort> masterAddress, String runId) {
    }

    /** The groups the agent watches, as planned from. */
    List<RollPlanner.SentinelGroup> groups();

    /** {@code SENTINEL FAILOVER name} on a Sentinel of the group that answers. */
    void failover(String name);

    /** The primary a majority of the group's Sentinels name right now; empty while they do not agree. */
    Optional<HostPort> primary(String name);

    DataNodeStatus status(HostPort node);

    /** {@code CLIENT PAUSE millis WRITE}: the primary holds its writers while its replica catches up and takes over. */
    void pauseWrites(HostPort node, long millis);

    /** {@code CLIENT UNPAUSE}. */
    void unpause(HostPort node);

    /** Makes the old primary a replica of the new one now ({@code REPLICAOF}, {@code CONFIG REWRITE}), as Sentinel would later. */
    void follow(HostPort node, HostPort primary);

    /** No Sentinel configured: nothing to roll. */
    SentinelGroups NONE = new SentinelGroups() {
        @Override
        public List<RollPlanner.SentinelGroup> groups() {
            return List.of();
        }

        @Override
        public void failover(String name) {
            throw new NodeRestartException("no Sentinel is configured");
        }

        @Override
        public Optional<HostPort> primary(String name) {
            return Optional.empty();
        }

        @Override
        public DataNodeStatus status(HostPort node) {
            throw new NodeRestartException("no Sentinel is configured");
        }

        @Override
        public void pauseWrites(HostPort node, long millis) {
            throw new NodeRestartException("no Sentinel is configured");
        }

        @Override
        public void unpause(HostPort node) {
        }

        @Override
        public void follow(HostPort node, HostPort primary) {
            throw new NodeRestartException("no Sentinel is configured");
        }
    };
}
