package io.cahoots.agent.boot;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.executor.NodeRestartException;
import io.cahoots.agent.executor.NodeRestarter;
import io.cahoots.agent.redis.lab.LabException;
import io.cahoots.agent.redis.lab.RedisLab;

import java.time.Duration;

/**
 * Restarts a node of the agent's own lab: its {@code redis-server} process stops (SIGTERM) and starts again with
 * the same port, config, dir and so the same {@code nodes.conf}; returns once the new process answers.
 */
final class LabRestarter implements NodeRestarter {

    private final RedisLab lab;

    LabRestarter(RedisLab lab) {
        this.lab = lab;
    }

    @Override
    public HostPort restart(HostPort address, Duration timeout) {
        try {
            lab.node(address).restart();
            return address;
        } catch (IllegalArgumentException | LabException e) {
            throw new NodeRestartException(e.getMessage(), e);
        }
    }

    @Override
    public String kind() {
        return "lab";
    }
}
