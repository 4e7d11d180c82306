package io.cahoots.agent.adapter.redisson;

import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.redis.RedissonClients;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.SharedLab;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two agents on one cluster: exactly one holds the execution lease; a dead holder's lease expires. */
class RedissonLeaseIT {

    @Test
    void onlyOneAgentHoldsTheLeaseAndACrashedHolderLosesIt() {
        RedisLab lab = SharedLab.get();
        Duration watchdog = Duration.ofSeconds(2);
        try (RedissonClients clientA = new RedissonClients(lab.masters(), Credentials.NONE, false, watchdog);
             RedissonClients clientB = new RedissonClients(lab.masters(), Credentials.NONE, false, watchdog)) {
            RedissonLease a = new RedissonLease(clientA, "agent A");
            RedissonLease b = new RedissonLease(clientB, "agent B");
            assertThat(a.tryAcquire("job-1")).isEmpty();
            assertThat(b.tryAcquire("job-2")).hasValueSatisfying(h -> assertThat(h).contains("agent A").contains("job-1"));
            // The watchdog keeps A's lease alive well past its timeout.
            sleep(watchdog.multipliedBy(2));
            assertThat(b.tryAcquire("job-2")).isPresent();
            a.release("job-1");
            assertThat(b.tryAcquire("job-3")).isEmpty();
            assertThat(a.tryAcquire("job-4")).hasValueSatisfying(h -> assertThat(h).contains("agent B"));

            // B dies without releasing: its watchdog stops, and A gets the lease once it expires.
            clientB.close();
            await().atMost(watchdog.multipliedBy(3)).pollInterval(Duration.ofMillis(200))
                    .until(() -> a.tryAcquire("job-5").isEmpty());
            a.release("job-5");
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
