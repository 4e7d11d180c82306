package io.cahoots.agent.caching;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.caching.MemoryDrift.Change;
import io.cahoots.agent.caching.MemoryDrift.NodeCheck;
import io.cahoots.agent.caching.MemoryDrift.Target;
import io.cahoots.agent.caching.PolicyRedis.MemoryState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryDriftTest {

    static final long GB = 1024L * 1024 * 1024;
    static final Target STRATEGY = new Target(2 * GB, "allkeys-lru");
    static final HostPort A = HostPort.parse("127.0.0.1:7000");

    static NodeMemory node(long used, long max, String policy) {
        return NodeMemory.read(A, NodeMemory.CLUSTER, "master", Optional.of("id-a"), new MemoryState(used, max, policy));
    }

    @Test
    void aNodeWithTheStrategysLimitsHasNoDrift() {
        NodeCheck c = MemoryDrift.check(node(1000, 2 * GB, "allkeys-lru"), STRATEGY);
        assertThat(c.ok()).isTrue();
        assertThat(c.drifted()).isEmpty();
        assertThat(MemoryDrift.plan(c, STRATEGY)).isEmpty();
    }

    @Test
    void aFreshRedisDriftsOnBothAndIsCorrectedPolicyFirst() {
        NodeCheck c = MemoryDrift.check(node(1000, 0, "noeviction"), STRATEGY);
        assertThat(c.ok()).isFalse();
        assertThat(c.drifted()).containsExactly("maxmemory-policy", "maxmemory");
        assertThat(MemoryDrift.plan(c, STRATEGY)).containsExactly(
                new Change(A, "maxmemory-policy", "noeviction", "allkeys-lru", Optional.empty()),
                new Change(A, "maxmemory", "0", Long.toString(2 * GB), Optional.empty()));
    }

    @Test
    void policyNamesCompareWithoutCase() {
        assertThat(MemoryDrift.check(node(0, 2 * GB, "ALLKEYS-LRU"), STRATEGY).ok()).isTrue();
    }

    @Test
    void aLimitBelowTheMemoryInUseIsRefusedWithTheReason() {
        NodeCheck c = MemoryDrift.check(node(3 * GB, 4 * GB, "allkeys-lru"), STRATEGY);
        List<Change> plan = MemoryDrift.plan(c, STRATEGY);
        assertThat(plan).singleElement().satisfies(ch -> {
            assertThat(ch.setting()).isEqualTo("maxmemory");
            assertThat(ch.refused()).hasValueSatisfying(r -> assertThat(r).contains("used_memory 3gb", "above the new limit"));
        });
    }

    @Test
    void raisingOrRemovingALimitIsNeverRefused() {
        Target higher = new Target(4 * GB, "allkeys-lru");
        assertThat(MemoryDrift.plan(MemoryDrift.check(node(3 * GB, GB, "allkeys-lru"), higher), higher)).singleElement().satisfies(ch -> assertThat(ch.refused()).isEmpty());
        assertThat(MemoryDrift.plan(MemoryDrift.check(node(3 * GB, GB, "allkeys-lru"), new Target(0, "allkeys-lru")),
                new Target(0, "allkeys-lru"))).singleElement().satisfies(ch -> assertThat(ch.refused()).isEmpty());
    }

    @Test
    void anUnreadableNodeIsNeitherOkNorCorrected() {
        NodeMemory n = NodeMemory.unreadable(A, "sentinel:mymaster", "replica", Optional.empty(), "Connection refused");
        NodeCheck c = MemoryDrift.check(n, STRATEGY);
        assertThat(c.readable()).isFalse();
        assertThat(c.ok()).isFalse();
        assertThat(c.drifted()).isEmpty();
        assertThat(MemoryDrift.plan(c, STRATEGY)).isEmpty();
    }
}
