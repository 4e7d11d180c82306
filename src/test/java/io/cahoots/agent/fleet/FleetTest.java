package io.cahoots.agent.fleet;

import io.cahoots.agent.config.AgentConfig;
import io.cahoots.agent.config.ConfigMaps;
import io.cahoots.agent.config.Settings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The membership and leadership rules over a scripted store: no Redis, no timers (beats are called directly). */
class FleetTest {

    /** A shared store whose lease answers as scripted, and that can be made unreachable. */
    static final class ScriptedStore extends io.cahoots.agent.fleet.LocalFleetStore {
        volatile boolean grant = true;
        volatile boolean reachable = true;

        @Override
        public boolean lead() {
            check();
            return grant;
        }

        @Override
        public void announce(Member member) {
            check();
            super.announce(member);
        }

        private void check() {
            if (!reachable) {
                throw new IllegalStateException("store unreachable");
            }
        }
    }

    private static Fleet fleet(ScriptedStore store, String leaseTimeout, Clock clock) {
        Settings settings = Settings.from(ConfigMaps.mapping(AgentConfig.class, Map.of("agent.lease-timeout", leaseTimeout)));
        Fleet fleet = new Fleet(settings, clock, new SimpleMeterRegistry(), "test");
        fleet.install(store);
        return fleet;
    }

    @Test
    void aMemberThatGetsTheLeaseLeadsAndSaysSoOnce() {
        ScriptedStore store = new ScriptedStore();
        Fleet fleet = fleet(store, "3s", Clock.systemUTC());
        List<Boolean> changes = new ArrayList<>();
        fleet.onLeadership(changes::add);
        fleet.beat();
        fleet.beat();
        assertThat(fleet.isLeader()).isTrue();
        assertThat(changes).containsExactly(true);
        assertThat(store.leader()).map(LeaderInfo::id).contains(fleet.self().id());
        assertThat(fleet.members()).extracting(Member::id).containsExactly(fleet.self().id());
    }

    @Test
    void aLeaderWhoseLeaseIsTakenStepsDownAndFollowsTheNewLeader() {
        ScriptedStore store = new ScriptedStore();
        Fleet fleet = fleet(store, "3s", Clock.systemUTC());
        List<Boolean> changes = new ArrayList<>();
        fleet.onLeadership(changes::add);
        fleet.beat();
        store.grant = false;
        store.announceLeader(new LeaderInfo("other/1", Instant.now()));
        fleet.beat();
        assertThat(fleet.isLeader()).isFalse();
        assertThat(changes).containsExactly(true, false);
        assertThat(fleet.leaderInfo()).map(LeaderInfo::id).contains("other/1");
    }

    @Test
    void aLeaderCutOffFromTheStoreStepsDownBeforeItsLeaseCanExpire() {
        ScriptedStore store = new ScriptedStore();
        Fleet fleet = fleet(store, "1s", Clock.systemUTC());
        fleet.beat();
        store.reachable = false;
        fleet.beat(); // a missed beat is not enough
        assertThat(fleet.isLeader()).isTrue();
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).until(() -> {
            fleet.beat();
            return !fleet.isLeader();
        });
        // Half the lease timeout: the lease itself lives two thirds of it after the last renewal.
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Fleet.leaderTtl(Duration.ofSeconds(1)));
    }

    @Test
    void theLeaderForgetsMembersSilentForThreeLeaseTimeouts() {
        ScriptedStore store = new ScriptedStore();
        Instant now = Instant.parse("2026-11-30T10:00:00Z");
        Fleet fleet = fleet(store, "2s", Clock.fixed(now, ZoneOffset.UTC));
        store.announce(new Member("gone/7", "gone", "test", now.minusSeconds(60), now.minusSeconds(7)));
        store.announce(new Member("quiet/8", "quiet", "test", now.minusSeconds(60), now.minusSeconds(5)));
        fleet.beat();
        assertThat(store.members()).extracting(Member::id).containsExactlyInAnyOrder(fleet.self().id(), "quiet/8");
    }

    @Test
    void theLeaseOutlivesABeatAndExpiresWithinTheLeaseTimeoutAfterTheLastRenewal() {
        for (long seconds : new long[]{1, 3, 10, 600}) {
            Duration lease = Duration.ofSeconds(seconds);
            Duration beat = Fleet.beatPeriod(lease);
            Duration ttl = Fleet.leaderTtl(lease);
            assertThat(ttl).isGreaterThan(beat);
            // Worst case for a successor: the lease expires ttl after the last renewal, seen at the next beat.
            assertThat(ttl.plus(beat)).isLessThanOrEqualTo(lease);
        }
    }
}
