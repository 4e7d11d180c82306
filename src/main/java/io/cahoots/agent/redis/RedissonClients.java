package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;
import org.redisson.config.SentinelServersConfig;

import java.time.Duration;
import java.util.List;

/**
 * One Redisson client on the cluster -- or, when only Sentinel is configured, on the primary of one Sentinel-managed
 * master -- created on first use (an unreachable Redis at start-up does not stop the agent), shared by the lease, the
 * journal and the fleet store.
 */
public final class RedissonClients implements AutoCloseable {

    private final List<HostPort> seeds;
    private final Credentials credentials;
    private final boolean tls;
    private final Duration lockTimeout;
    /** Set for a Sentinel-managed primary: its master name and the Sentinels' password. */
    private final String sentinelMaster;
    private final Credentials sentinelCredentials;
    private RedissonClient client;

    public RedissonClients(List<HostPort> seeds, Credentials credentials, boolean tls, Duration lockTimeout) {
        this(seeds, credentials, tls, lockTimeout, null, null);
    }

    private RedissonClients(List<HostPort> seeds, Credentials credentials, boolean tls, Duration lockTimeout,
                            String sentinelMaster, Credentials sentinelCredentials) {
        this.seeds = List.copyOf(seeds);
        this.credentials = credentials;
        this.tls = tls;
        this.lockTimeout = lockTimeout;
        this.sentinelMaster = sentinelMaster;
        this.sentinelCredentials = sentinelCredentials;
    }

    /** On the primary of {@code master}, found and followed through the Sentinels. */
    public static RedissonClients sentinel(List<HostPort> sentinels, String master, Credentials data,
                                           Credentials sentinel, boolean tls, Duration lockTimeout) {
        return new RedissonClients(sentinels, data, tls, lockTimeout, master, sentinel);
    }

    public synchronized RedissonClient get() {
        if (client == null) {
            Config config = new Config();
            config.setLockWatchdogTimeout(lockTimeout.toMillis());
            config.setThreads(2);
            config.setNettyThreads(4);
            if (sentinelMaster != null) {
                configureSentinel(config);
                return create(config);
            }
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
                cluster.addNodeAddress((tls ? "rediss://" : "redis://") + s);
            }
            credentials.username().ifPresent(cluster::setUsername);
            credentials.password().ifPresent(cluster::setPassword);
            return create(config);
        }
        return client;
    }

    private RedissonClient create(Config config) {
        try {
            client = Redisson.create(config);
        } catch (RuntimeException e) {
            throw new RedisException.Unavailable(firstSeed(), "cannot open the coordination client: " + e.getMessage(), e);
        }
        return client;
    }

    private void configureSentinel(Config config) {
        SentinelServersConfig s = config.useSentinelServers()
                .setMasterName(sentinelMaster)
                .setScanInterval(2000)
                .setMasterConnectionMinimumIdleSize(1)
                .setMasterConnectionPoolSize(4)
                .setSlaveConnectionMinimumIdleSize(0)
                .setSubscriptionConnectionMinimumIdleSize(0)
                .setSubscriptionConnectionPoolSize(2)
                .setCheckSentinelsList(false)
                .setReadMode(ReadMode.MASTER);
        for (HostPort a : seeds) {
            s.addSentinelAddress((tls ? "rediss://" : "redis://") + a);
        }
        credentials.username().ifPresent(s::setUsername);
        credentials.password().ifPresent(s::setPassword);
        sentinelCredentials.password().ifPresent(s::setSentinelPassword);
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
