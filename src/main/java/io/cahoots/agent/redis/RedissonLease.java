package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.executor.ExecutionLease;
import org.redisson.Redisson;
import org.redisson.api.RBucket;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The execution lease as a Redisson lock on the cluster itself.
 *
 * <ol>
 *   <li>The lock is taken without waiting and without a lease time, so Redisson's watchdog keeps renewing
 *       it every third of {@code watchdog} while this agent lives; if the agent dies, the lock expires
 *       after {@code watchdog} and another replica can take over.</li>
 *   <li>Redisson ties a lock to a thread; a job starts on an HTTP thread and ends on its own, so the
 *       lock is held under a per-agent synthetic owner id instead of a real thread id.</li>
 *   <li>Who holds it is written next to the lock (same hash tag, same slot) so a refused request can
 *       name the holder.</li>
 * </ol>
 * The Redisson client is created on first use: an agent that never runs a job never opens it, and an
 * unreachable cluster at start-up does not stop the agent.
 */
public final class RedissonLease implements ExecutionLease, AutoCloseable {

    static final String LOCK = "{cahoots-agent}:execution-lease";
    static final String HOLDER = "{cahoots-agent}:execution-lease-holder";

    private final List<HostPort> seeds;
    private final Credentials credentials;
    private final boolean tls;
    private final String agentId;
    private final Duration watchdog;
    /** Constant per agent: Redisson's "thread id" under which this agent holds the lock. */
    private final long ownerId = Math.abs(java.util.UUID.randomUUID().getMostSignificantBits());
    private volatile RedissonClient client;

    public RedissonLease(List<HostPort> seeds, Credentials credentials, boolean tls, String agentId, Duration watchdog) {
        this.seeds = List.copyOf(seeds);
        this.credentials = credentials;
        this.tls = tls;
        this.agentId = agentId;
        this.watchdog = watchdog;
    }

    @Override
    public Optional<String> tryAcquire(String jobId) {
        try {
            RLock lock = client().getLock(LOCK);
            boolean taken = lock.tryLockAsync(ownerId).toCompletableFuture().get(10, TimeUnit.SECONDS);
            RBucket<String> holder = client().getBucket(HOLDER);
            if (!taken) {
                return Optional.of(Optional.ofNullable(holder.get()).orElse("another agent (unknown)"));
            }
            holder.set(agentId + " running job " + jobId);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException.Unavailable(seeds.get(0), "interrupted while taking the execution lease", e);
        } catch (Exception e) {
            throw new RedisException.Unavailable(seeds.get(0), "cannot take the execution lease: " + e.getMessage(), e);
        }
    }

    @Override
    public void release(String jobId) {
        RedissonClient c = client;
        if (c == null) {
            return;
        }
        c.getBucket(HOLDER).delete();
        c.getLock(LOCK).unlockAsync(ownerId).toCompletableFuture().join();
    }

    private synchronized RedissonClient client() {
        if (client == null) {
            Config config = new Config();
            config.setLockWatchdogTimeout(watchdog.toMillis());
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
                    // The holder note must be read where it was written, not from a lagging replica.
                    .setReadMode(ReadMode.MASTER);
            for (HostPort s : seeds) {
                cluster.addNodeAddress((tls ? "rediss://" : "redis://") + s);
            }
            credentials.username().ifPresent(cluster::setUsername);
            credentials.password().ifPresent(cluster::setPassword);
            client = Redisson.create(config);
        }
        return client;
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.shutdown();
            client = null;
        }
    }
}
