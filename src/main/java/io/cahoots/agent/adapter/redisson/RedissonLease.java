package io.cahoots.agent.adapter.redisson;

import io.cahoots.agent.redis.AclRules;
import io.cahoots.agent.redis.RedisException;
import io.cahoots.agent.redis.RedissonClients;
import io.cahoots.agent.executor.ExecutionLease;
import org.redisson.api.RBucket;
import org.redisson.api.RLock;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The execution lease as a Redisson lock on the cluster itself.
 *
 * <ol>
 *   <li>The lock is taken without waiting and without a lease time, so Redisson's watchdog keeps renewing
 *       it while this agent lives; if the agent dies, the lock expires after the watchdog timeout
 *       ({@code AGENT_LEASE_TIMEOUT}) and another replica, or the restarted agent, can take over.</li>
 *   <li>Redisson ties a lock to a thread; a job starts on an HTTP thread and ends on its own, so the
 *       lock is held under a per-agent synthetic owner id instead of a real thread id.</li>
 *   <li>Who holds it is written next to the lock (same hash tag, same slot) so a refused request can
 *       name the holder.</li>
 * </ol>
 */
public final class RedissonLease implements ExecutionLease {

    static final String LOCK = "{cahoots-agent}:execution-lease";
    static final String HOLDER = "{cahoots-agent}:execution-lease-holder";

    private final RedissonClients redisson;
    private final String agentId;
    /** Constant per agent: Redisson's "thread id" under which this agent holds the lock. */
    private final long ownerId = Math.abs(java.util.UUID.randomUUID().getMostSignificantBits());

    public RedissonLease(RedissonClients redisson, String agentId) {
        this.redisson = redisson;
        this.agentId = agentId;
    }

    @Override
    public Optional<String> tryAcquire(String jobId) {
        try {
            RLock lock = redisson.get().getLock(LOCK);
            boolean taken = lock.tryLockAsync(ownerId).toCompletableFuture().get(10, TimeUnit.SECONDS);
            RBucket<String> holder = redisson.get().getBucket(HOLDER);
            if (!taken) {
                return Optional.of(Optional.ofNullable(holder.get()).orElse("another agent (unknown)"));
            }
            holder.set(agentId + " running job " + jobId);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException.Unavailable(redisson.firstSeed(), "interrupted while taking the execution lease", e);
        } catch (Exception e) {
            throw new RedisException.Unavailable(redisson.firstSeed(), "cannot take the execution lease: "
                    + java.util.Objects.requireNonNullElse(AclRules.refusal(e.getMessage()), String.valueOf(e.getMessage())), e);
        }
    }

    @Override
    public void release(String jobId) {
        redisson.get().getBucket(HOLDER).delete();
        redisson.get().getLock(LOCK).unlockAsync(ownerId).toCompletableFuture().join();
    }
}
