package io.cahoots.agent.boot;

import io.cahoots.agent.config.Settings;
import io.cahoots.agent.executor.JobManager;
import io.cahoots.agent.redis.RedissonLease;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.net.InetAddress;
import java.time.Duration;

/**
 * With a cluster configured, jobs take a lease on the cluster itself so that, of several agent replicas
 * watching it, exactly one changes it at a time. A crashed holder's lease expires after {@link #WATCHDOG}.
 */
@Singleton
public class LeaseInstaller {

    static final Duration WATCHDOG = Duration.ofSeconds(10);

    private RedissonLease lease;

    void install(@Observes @Priority(50) StartupEvent event, Settings settings, JobManager jobs) {
        if (settings.clusterNodes().isEmpty()) {
            return;
        }
        lease = new RedissonLease(settings.clusterNodes(), settings.redisCredentials(), settings.tls(), agentId(), WATCHDOG);
        jobs.useLease(lease);
    }

    void close(@Observes ShutdownEvent event) {
        if (lease != null) {
            lease.close();
        }
    }

    static String agentId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        return "agent " + host + " pid " + ProcessHandle.current().pid();
    }
}
