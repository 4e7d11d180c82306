package io.cahoots.agent.scaling;

import io.cahoots.agent.cluster.HostPort;

import java.util.List;

/**
 * The spare nodes the shard autoscaler may take when {@code AGENT_REDIS_SCALING_SPARE_NODES} is unset: the lab's
 * spares, wired in {@code boot/} (so that {@code scaling/} does not reach up into the wiring layer).
 */
@FunctionalInterface
public interface SpareNodeSource {

    List<HostPort> spareNodes();
}
