package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.BaseMasterSlaveServersConfig;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;
import org.redisson.config.SentinelServersConfig;
import org.redisson.config.SslVerificationMode;

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
    private final RedisTls tls;
    private final Duration lockTimeout;
    /** Set for a Sentinel-managed primary: its master name and the Sentinels' password. */
    private final String sentinelMaster;
    private final Credentials sentinelCredentials;
    private RedissonClient client;

    public RedissonClients(List<HostPort> seeds, Credentials credentials, boolean tls, Duration lockTimeout) {
        this(seeds, credentials, tls ? RedisTls.defaults() : RedisTls.off(), lockTimeout);
    }

    public RedissonClients(List<HostPort> seeds, Credentials credentials, RedisTls tls, Duration lockTimeout) {
        this(seeds, credentials, tls, lockTimeout, null, null);
    }

    private RedissonClients(List<HostPort> seeds, Credentials credentials, RedisTls tls, Duration lockTimeout,
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
                                           Credentials sentinel, RedisTls tls, Duration lockTimeout) {
        return new RedissonClients(sentinels, data, tls, lockTimeout, master, sentinel);
    }

    public synchronized RedissonClient get() {
        if (client == null) {
            Config config = new Config();
            config.setLockWatchdogTimeout(lockTimeout.toMillis());
            config.setThreads(2);
            config.setNettyThreads(4);
            if (sentinelMaster != null) {
                SentinelServersConfig s = common(config.useSentinelServers().setMasterName(sentinelMaster)
                        .setScanInterval(2000).setCheckSentinelsList(false));
                seeds.forEach(a -> s.addSentinelAddress(scheme() + a));
                sentinelCredentials.password().ifPresent(s::setSentinelPassword);
            } else {
                ClusterServersConfig c = common(config.useClusterServers().setScanInterval(2000).setCheckSlotsCoverage(false));
                seeds.forEach(a -> c.addNodeAddress(scheme() + a));
            }
            try {
                client = Redisson.create(config);
            } catch (RuntimeException e) {
                throw new RedisException.Unavailable(firstSeed(), "cannot open the coordination client: " + e.getMessage(), e);
            }
        }
        return client;
    }

    /** What both kinds of client share: small pools, reads from masters, TLS and credentials. */
    private <T extends BaseMasterSlaveServersConfig<T>> T common(T c) {
        // No idle connection to every master: the agent's keys live on one shard, and a 1,000-node cluster would
        // otherwise hold 500 connections open for nothing (issue 12).
        c.setMasterConnectionMinimumIdleSize(0)
                .setMasterConnectionPoolSize(4)
                .setSlaveConnectionMinimumIdleSize(0)
                .setSubscriptionConnectionMinimumIdleSize(0)
                .setSubscriptionConnectionPoolSize(2)
                // What was written must be read back, not an older copy from a lagging replica.
                .setReadMode(ReadMode.MASTER);
        if (tls.enabled()) {
            c.setSslTrustManagerFactory(tls.trustManagerFactory());
            tls.keyManagerFactory().ifPresent(c::setSslKeyManagerFactory);
            c.setSslVerificationMode(tls.verifyHostname() ? SslVerificationMode.STRICT : SslVerificationMode.CA_ONLY);
        }
        credentials.username().ifPresent(c::setUsername);
        credentials.password().ifPresent(c::setPassword);
        return c;
    }

    private String scheme() {
        return tls.enabled() ? "rediss://" : "redis://";
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
