package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.sentinel.Confirmation.Answer;
import io.cahoots.agent.sentinel.Confirmation.Outcome;
import io.cahoots.agent.sentinel.Confirmation.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The confirmer's use of evidence over several attempts, with the answers scripted per call (the n-th ROLE, the n-th
 * answer of each Sentinel), so that the moment each answer belongs to is explicit.
 */
class MasterConfirmerTest {

    static final HostPort OLD_MASTER = new HostPort("127.0.0.1", 7000);
    static final HostPort NEW_MASTER = new HostPort("127.0.0.1", 7001);
    static final HostPort DOWN_SENTINEL = new HostPort("127.0.0.1", 26379);
    static final HostPort LAGGING_SENTINEL = new HostPort("127.0.0.1", 26380);
    static final HostPort LEADER_SENTINEL = new HostPort("127.0.0.1", 26381);
    static final List<HostPort> GROUP = List.of(DOWN_SENTINEL, LAGGING_SENTINEL, LEADER_SENTINEL);
    static final Duration CALL_TIMEOUT = Duration.ofMillis(50);
    /** Longer than the call timeout plus the confirmer's slack: the call counts as unanswered. */
    static final long TOO_SLOW_MILLIS = 400;

    static final Role REFUSED = new Role.Failed("Connection refused");
    static final Role SAYS_MASTER = new Role.Answered(RoleReply.parse(List.of("master", 0L, List.of())));

    private final ExecutorService io = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "confirmer-test-io");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stop() {
        io.shutdownNow();
    }

    /** Answers by call number (1-based), per question. */
    static final class Script implements MasterConfirmer.Evidence {
        private final IntFunction<Role> role;
        private final Map<HostPort, IntFunction<Answer>> sentinels;
        private final AtomicInteger roleCalls = new AtomicInteger();
        private final Map<HostPort, AtomicInteger> sentinelCalls = new ConcurrentHashMap<>();

        Script(IntFunction<Role> role, Map<HostPort, IntFunction<Answer>> sentinels) {
            this.role = role;
            this.sentinels = sentinels;
        }

        @Override
        public Role role(HostPort candidate) {
            return role.apply(roleCalls.incrementAndGet());
        }

        @Override
        public Answer masterAddress(HostPort sentinel, String name) {
            int n = sentinelCalls.computeIfAbsent(sentinel, s -> new AtomicInteger()).incrementAndGet();
            return sentinels.get(sentinel).apply(n);
        }
    }

    static Answer names(HostPort a) {
        return new Answer.Names(Optional.of(a));
    }

    static Answer refused() {
        return new Answer.Failed("Connection refused");
    }

    static Answer tooSlow(Answer eventually) {
        try {
            Thread.sleep(TOO_SLOW_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return eventually;
    }

    MasterConfirmer confirmer(Script script, Duration deadline) {
        return new MasterConfirmer(script, io, CALL_TIMEOUT, deadline);
    }

    /**
     * A replayed switch to the old master, asked while it restarts: first attempt, it refuses connections and the
     * lagging Sentinel still names it; from the second attempt on, it answers ROLE master (restarted, not yet
     * reconfigured by Sentinel), the lagging Sentinel has caught up, and the leader is too slow to answer. At no moment
     * did two Sentinels name the old master, so it must not be believed -- carrying the lagging Sentinel's first answer
     * over to the later attempts (as the confirmer once did) believed it.
     */
    @Test
    void answersFromAnEarlierAttemptNeverConfirmARestartedOldMaster() {
        Script script = new Script(n -> n == 1 ? REFUSED : SAYS_MASTER, Map.of(
                DOWN_SENTINEL, n -> refused(),
                LAGGING_SENTINEL, n -> n == 1 ? names(OLD_MASTER) : names(NEW_MASTER),
                LEADER_SENTINEL, n -> n == 1 ? names(NEW_MASTER) : tooSlow(names(NEW_MASTER))));
        MasterConfirmer.Result r = confirmer(script, Duration.ofMillis(1200)).confirm("mymaster", OLD_MASTER, GROUP);
        assertThat(r.decision().outcome()).isEqualTo(Outcome.REJECT);
        assertThat(r.attempts()).isGreaterThan(1);
        assertThat(r.decision().reason()).doesNotContain("1 name 127.0.0.1:7000");
    }

    /**
     * The confirmer's part alone: two Sentinels named the old master in the first attempt (before they heard of the
     * failover) while it refused connections; from the second attempt on, it answers ROLE master and both name the new
     * master. Under the majority rule, too, only answers of the same attempt may be counted together.
     */
    @Test
    void answersThatNamedTheCandidateBeforeTheFailoverDoNotCountAfterIt() {
        Script script = new Script(n -> n == 1 ? REFUSED : SAYS_MASTER, Map.of(
                DOWN_SENTINEL, n -> refused(),
                LAGGING_SENTINEL, n -> n == 1 ? names(OLD_MASTER) : names(NEW_MASTER),
                LEADER_SENTINEL, n -> n == 1 ? names(OLD_MASTER) : names(NEW_MASTER)));
        MasterConfirmer.Result r = confirmer(script, Duration.ofMillis(300)).confirm("mymaster", OLD_MASTER, GROUP);
        assertThat(r.decision().outcome()).isEqualTo(Outcome.REJECT);
        assertThat(r.attempts()).isGreaterThan(1);
    }

    /** The other side: a true switch that the second Sentinel learns of a moment after the leader is confirmed. */
    @Test
    void aTrueSwitchIsConfirmedOnceTwoSentinelsNameItInTheSameAttempt() {
        Script script = new Script(n -> SAYS_MASTER, Map.of(
                DOWN_SENTINEL, n -> refused(),
                LAGGING_SENTINEL, n -> n <= 2 ? names(OLD_MASTER) : names(NEW_MASTER),
                LEADER_SENTINEL, n -> names(NEW_MASTER)));
        MasterConfirmer.Result r = confirmer(script, Duration.ofSeconds(3)).confirm("mymaster", NEW_MASTER, GROUP);
        assertThat(r.decision().outcome()).isEqualTo(Outcome.ACCEPT);
        assertThat(r.decision().reason()).contains("2 of 3 Sentinels name 127.0.0.1:7001");
        assertThat(r.attempts()).isEqualTo(3);
        assertThat(r.role()).isPresent();
    }

    @Test
    void aReplicaIsRejectedAtOnce() {
        Role replica = new Role.Answered(RoleReply.parse(List.of("slave", "127.0.0.1", 7001L, "connected", 10L)));
        Script script = new Script(n -> replica, Map.of(
                DOWN_SENTINEL, n -> refused(),
                LAGGING_SENTINEL, n -> names(OLD_MASTER),
                LEADER_SENTINEL, n -> names(OLD_MASTER)));
        MasterConfirmer.Result r = confirmer(script, Duration.ofSeconds(3)).confirm("mymaster", OLD_MASTER, GROUP);
        assertThat(r.decision().outcome()).isEqualTo(Outcome.REJECT);
        assertThat(r.decision().reason()).contains("answers replica of 127.0.0.1:7001");
        assertThat(r.attempts()).isEqualTo(1);
    }
}
