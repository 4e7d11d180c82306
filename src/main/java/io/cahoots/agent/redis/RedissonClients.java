package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

import java.time.Duration;
import java.util.List;

/**
 * One Redisson client on the cluster, created on first use (an agent that never runs a job never opens it,
 * and an unreachable cluster at start-up does not stop the agent), shared by the lease and the journal.
 */
public final class RedissonClients implements AutoCloseable {

    private final List<HostPort> seeds;
    private final Credentials credentials;
    private final RedisTls tls;
    private final Duration lockTimeout;
    private RedissonClient client;

    public RedissonClients(List<HostPort> seeds, Credentials credentials, boolean tls, Duration lockTimeout) {
        this(seeds, credentials, tls ? RedisTls.defaults() : RedisTls.off(), lockTimeout);
    }

    public RedissonClients(List<HostPort> seeds, Credentials credentials, RedisTls tls, Duration lockTimeout) {
        this.seeds = List.copyOf(seeds);
        this.credentials = credentials;
        this.tls = tls;
        this.lockTimeout = lockTimeout;
    }

    public synchronized RedissonClient get() {
        if (client == null) {
            Config config = new Config();
            config.setLockWatchdogTimeout(lockTimeout.toMillis());
            config.setThreads(2);
            config.setNettyThreads(4);
            ClusterServersConfig cluster = config.useClusterServers()
                    .setScanInterval(2000)
                    .setMasterConnectionMinimumIdleSize(1)
                    .setMasterConnectionPoolSize(4)
                    .setSlaveConnectionMinimumIdleSize(0)
                    .setSubscriptionConnectionMinimumIdleSize(0)
                    .setSubscriptionConnectionPoolSize(2)
                    .setCheckSlotsCoverage(false)
                    // What was written must be read back, not an older copy from a lagging replica.
                    .setReadMode(ReadMode.MASTER);
            for (HostPort s : seeds) {
                cluster.addNodeAddress((tls.enabled() ? "rediss://" : "redis://") + s);
            }
            if (tls.enabled()) {
                cluster.setSslTrustManagerFactory(tls.trustManagerFactory());
                tls.keyManagerFactory().ifPresent(cluster::setSslKeyManagerFactory);
                cluster.setSslVerificationMode(tls.verifyHostname() ? org.redisson.config.SslVerificationMode.STRICT
                        : org.redisson.config.SslVerificationMode.CA_ONLY);
            }
            credentials.username().ifPresent(cluster::setUsername);
            credentials.password().ifPresent(cluster::setPassword);
            try {
                client = Redisson.create(config);
            } catch (RuntimeException e) {
                throw new RedisException.Unavailable(firstSeed(), "cannot open the coordination client: " + e.getMessage(), e);
            }
        }
        return client;
    }

    public HostPort firstSeed() {
        return seeds.get(0);
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.shutdown();
            client = null;
        }
    }
}
