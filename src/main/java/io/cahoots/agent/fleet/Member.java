package io.cahoots.agent.fleet;

import java.time.Instant;

/**
 * One sidecar of the fleet as it announces itself.
 *
 * @param id          unique per process: host (the pod name on Kubernetes) and pid
 * @param host        the host or pod name
 * @param version     the agent's build version
 * @param startedAt   when this process started
 * @param heartbeatAt when it last said it is alive
 */
public record Member(String id, String host, String version, Instant startedAt, Instant heartbeatAt) {

    public Member beat(Instant now) {
        return new Member(id, host, version, startedAt, now);
    }
}
