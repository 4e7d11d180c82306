package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.RedisException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The roll's bounded waits: a node that is not back in time fails the job, naming the condition still unmet. */
class RollerTest {

    @Test
    void aConditionMetInTimeReturns() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        Roller.await("the node", Duration.ofSeconds(10), () -> polls.incrementAndGet() < 3 ? "loading" : null);
        assertThat(polls.get()).isEqualTo(3);
    }

    @Test
    void pastTheBoundTheFailureNamesWhatAndTheLastReason() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Roller.await("127.0.0.1:7001 (abc) to be back", Duration.ofMillis(600), () -> "its replication link is down"))
                .isInstanceOf(NodeRestartException.class)
                .hasMessage("gave up after 0 s waiting for 127.0.0.1:7001 (abc) to be back: its replication link is down");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
    }

    @Test
    void aNodeThatCannotBeReadIsAReasonToWaitNotAnError() {
        HostPort node = new HostPort("127.0.0.1", 7002);
        assertThatThrownBy(() -> Roller.await("the node", Duration.ofMillis(400), () -> {
            throw new RedisException.Unavailable(node, "Connection refused", null);
        })).isInstanceOf(NodeRestartException.class).hasMessageContaining("Connection refused");
    }
}
