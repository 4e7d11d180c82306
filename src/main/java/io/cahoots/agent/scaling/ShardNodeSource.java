package io.cahoots.agent.scaling;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.RecentLatency;
import io.cahoots.agent.scaling.shard.ShardSample;

import java.util.Optional;

/**
 * Where the shard autoscaler's nodes come from, and how a step is carried out with them: a spare-node pool off
 * Kubernetes ({@link ShardActions}), the Redis StatefulSet on Kubernetes ({@link StatefulSetShards}).
 */
public interface ShardNodeSource {

    /** Which source, short, for the status' {@code nodeSource} and each decision's log line. */
    String name();

    /** Which source and what it has now (free nodes, replicas), for the status' {@code source}. */
    String describe(Optional<ClusterSnapshot> s);

    /** Why the source cannot carry a step out now; meanwhile the autoscaler advises. */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /** The policy's sample: the readings, and the master a scale-in would drain as this source would take it out. */
    ShardSample sample(ClusterSnapshot s, RecentLatency recent, boolean jobRunning);

    /** One shard more; blocks until done. @return what was done, for the log */
    String scaleOut();

    /** One shard fewer, draining {@code masterId} (the decision's); blocks until done. @return what was done */
    String scaleIn(String masterId);
}
