package io.cahoots.agent.security;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.AclRules;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * A lab whose data nodes carry the agent's least-privilege user ({@link AclRules#rule()}, exactly what the docs and
 * the kit give operators), and the agent connected as that user. The lab itself and the test's clients use the
 * default user.
 */
public class AclLab implements QuarkusTestResourceLifecycleManager {

    public static final String ADMIN_TOKEN = "acl-admin-token-0123456789";
    public static final String USER = "cahoots-agent";
    public static final String PASSWORD = "agent-password-0123456789";
    private static RedisLab lab;

    public static synchronized RedisLab get() {
        if (lab == null) {
            lab = RedisLab.start(LabSpec.builder()
                    .masters(3).replicasPerMaster(1).spareNodes(1)
                    .sentinelGroup(true).sentinelReplicas(1).sentinels(3)
                    .clusterNodeTimeoutMillis(5000)
                    .extraUser(USER, PASSWORD, AclRules.rule())
                    .build());
        }
        return lab;
    }

    @Override
    public Map<String, String> start() {
        RedisLab l = get();
        return Map.of(
                "agent.cluster-nodes", l.masters().get(0).toString(),
                "agent.sentinel-nodes", l.sentinels().stream().map(HostPort::toString).collect(Collectors.joining(",")),
                "agent.redis-username", USER,
                "agent.redis-password", PASSWORD,
                "agent.admin-token", ADMIN_TOKEN,
                "agent.poll-interval", "200ms",
                "agent.redis-timeout", "1s",
                "agent.policy.enforce", "true");
    }

    @Override
    public void stop() {
    }
}
