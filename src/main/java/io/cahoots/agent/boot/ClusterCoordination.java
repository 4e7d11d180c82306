package io.cahoots.agent.boot;

import io.cahoots.agent.config.Settings;
import io.cahoots.agent.executor.JobManager;
import io.cahoots.agent.redis.RedissonClients;
import io.cahoots.agent.redis.RedissonJournal;
import io.cahoots.agent.redis.RedissonLease;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.net.InetAddress;

/**
 * With a cluster configured, jobs take a lease on the cluster itself, so that of several agent replicas
 * watching it exactly one changes it at a time, and write a journal there, so that a job interrupted by a
 * crash is found by whoever holds the lease next (see {@code RecoveryService}).
 */
@Singleton
public class ClusterCoordination {

    private RedissonClients redisson;

    void install(@Observes @Priority(50) StartupEvent event, Settings settings, JobManager jobs, io.cahoots.agent.redis.RedisTls tls) {
        if (settings.clusterNodes().isEmpty()) {
            return;
        }
        redisson = new RedissonClients(settings.clusterNodes(), settings.redisCredentials(), tls, settings.leaseTimeout());
        String agent = agentId();
        jobs.coordinate(new RedissonLease(redisson, agent), new RedissonJournal(redisson), agent);
    }

    void close(@Observes ShutdownEvent event) {
        if (redisson != null) {
            redisson.close();
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
