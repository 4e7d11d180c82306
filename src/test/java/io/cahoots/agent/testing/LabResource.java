package io.cahoots.agent.testing;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.RedisLab;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;
import java.util.stream.Collectors;

/** Points every {@code @QuarkusTest} at the shared lab, seeded with one master only (discovery does the rest). */
public class LabResource implements QuarkusTestResourceLifecycleManager {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";

    @Override
    public Map<String, String> start() {
        RedisLab lab = SharedLab.get();
        return Map.of(
                "agent.cluster-nodes", lab.masters().get(0).toString(),
                "agent.sentinel-nodes", lab.sentinels().stream().map(HostPort::toString).collect(Collectors.joining(",")),
                "agent.admin-token", ADMIN_TOKEN,
                "agent.poll-interval", "200ms",
                "agent.redis-timeout", "500ms");
    }

    @Override
    public void stop() {
        // The shared lab outlives the Quarkus app; its shutdown hook stops it with the JVM.
    }
}
