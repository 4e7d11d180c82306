package io.cahoots.agent.security;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.LabTls;
import io.cahoots.agent.redis.lab.RedisLab;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A lab on TLS only (no plain port anywhere; client certificates required) and the agent pointed at it with the
 * lab's CA and client certificate: the settings an operator would give.
 */
public class TlsLab implements QuarkusTestResourceLifecycleManager {

    public static final String ADMIN_TOKEN = "tls-admin-token-0123456789";
    private static RedisLab lab;

    public static synchronized RedisLab get() {
        if (lab == null) {
            lab = RedisLab.start(LabSpec.builder()
                    .masters(3).replicasPerMaster(1).spareNodes(1)
                    .sentinelGroup(true).sentinelReplicas(1).sentinels(3)
                    .clusterNodeTimeoutMillis(5000)
                    .tls(true)
                    .build());
        }
        return lab;
    }

    public static LabTls files() {
        return get().tls().orElseThrow();
    }

    @Override
    public Map<String, String> start() {
        RedisLab l = get();
        Map<String, String> m = new HashMap<>();
        m.put("agent.cluster-nodes", l.masters().get(0).toString());
        m.put("agent.sentinel-nodes", l.sentinels().stream().map(HostPort::toString).collect(Collectors.joining(",")));
        m.put("agent.admin-token", ADMIN_TOKEN);
        m.put("agent.poll-interval", "200ms");
        m.put("agent.redis-timeout", "1s");
        m.put("agent.redis-tls", "true");
        m.put("agent.redis-tls-ca", files().ca().toString());
        m.put("agent.redis-tls-cert", files().clientCert().toString());
        m.put("agent.redis-tls-key", files().clientKey().toString());
        return m;
    }

    @Override
    public void stop() {
        // the lab's shutdown hook stops it with the JVM
    }
}
