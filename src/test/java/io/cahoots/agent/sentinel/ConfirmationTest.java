package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.sentinel.Confirmation.Answer;
import io.cahoots.agent.sentinel.Confirmation.Outcome;
import io.cahoots.agent.sentinel.Confirmation.Role;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ConfirmationTest {

    static final HostPort OLD = new HostPort("127.0.0.1", 7000);
    static final HostPort NEW = new HostPort("127.0.0.1", 7001);
    static final HostPort S1 = new HostPort("127.0.0.1", 26379);
    static final HostPort S2 = new HostPort("127.0.0.1", 26380);
    static final HostPort S3 = new HostPort("127.0.0.1", 26381);

    static final Role MASTER = new Role.Answered(RoleReply.parse(List.of("master", 10L, List.of())));
    static final Role REPLICA = new Role.Answered(RoleReply.parse(List.of("slave", "127.0.0.1", 7000L, "connected", 10L)));

    static Answer names(HostPort a) {
        return new Answer.Names(Optional.of(a));
    }

    static Answer down() {
        return new Answer.Failed("Connection refused");
    }

    static Map<HostPort, Answer> group(Answer a1, Answer a2, Answer a3) {
        Map<HostPort, Answer> m = new LinkedHashMap<>();
        m.put(S1, a1);
        m.put(S2, a2);
        m.put(S3, a3);
        return m;
    }

    @Test
    void aMajorityAndRoleMasterConfirm() {
        var d = Confirmation.decide(NEW, MASTER, group(names(NEW), names(NEW), new Answer.Pending()));
        assertThat(d.outcome()).isEqualTo(Outcome.ACCEPT);
        assertThat(d.reason()).contains("2 of 3");
    }

    @Test
    void aClaimPointingAtAReplicaIsRejectedAtOnceWhateverTheSentinelsSay() {
        var d = Confirmation.decide(NEW, REPLICA, group(names(NEW), names(NEW), names(NEW)));
        assertThat(d.outcome()).isEqualTo(Outcome.REJECT);
        assertThat(d.reason()).contains("replica of 127.0.0.1:7000");
    }

    @Test
    void anOldMasterThatStillAnswersMasterNeedsTheSentinelsToo() {
        // A restarted old master answers ROLE master until Sentinel reconfigures it; the group names the new one.
        var d = Confirmation.decide(OLD, MASTER, group(names(NEW), names(NEW), down()));
        assertThat(d.outcome()).isEqualTo(Outcome.WAIT);
        assertThat(d.reason()).contains("only 0 of 3");
    }

    @Test
    void oneSentinelDownStillLetsTheOtherTwoDecide() {
        assertThat(Confirmation.decide(NEW, MASTER, group(names(NEW), names(NEW), down())).outcome()).isEqualTo(Outcome.ACCEPT);
        // ...but one lagging Sentinel out of the two that answer is not yet a majority.
        assertThat(Confirmation.decide(NEW, MASTER, group(names(NEW), names(OLD), down())).outcome()).isEqualTo(Outcome.WAIT);
    }

    @Test
    void withMostSentinelsUnreachableNoAnswerIsEnough() {
        // Most of the group must name the address, reachable or not: the view lags rather than trust a minority.
        assertThat(Confirmation.decide(NEW, MASTER, group(names(NEW), down(), down())).outcome()).isEqualTo(Outcome.WAIT);
        assertThat(Confirmation.decide(NEW, MASTER, group(names(NEW), down(), new Answer.Pending())).outcome())
                .isEqualTo(Outcome.WAIT);
        assertThat(Confirmation.decide(NEW, MASTER, group(down(), down(), down())).outcome()).isEqualTo(Outcome.WAIT);
    }

    /**
     * What SentinelFailoverIT's test 5 can meet on a loaded machine: Sentinel S1 is down throughout, the old master has
     * just been restarted and answers ROLE master (Sentinel converts it to a replica ~8s later), S2 has not yet heard
     * of the failover and still names the old master, and S3 -- which names the new one -- is too slow to answer.
     */
    @Test
    void aLaggingSentinelAloneCannotConfirmARestartedOldMaster() {
        Answer slow = new Answer.Failed("no answer within 500ms");
        var d = Confirmation.decide(OLD, MASTER, group(down(), names(OLD), slow));
        assertThat(d.outcome()).isEqualTo(Outcome.WAIT);
        assertThat(d.reason()).contains("only 1 of 3 Sentinels answered, 1 name 127.0.0.1:7000 (need 2)");
        assertThat(Confirmation.decide(OLD, MASTER, group(down(), names(OLD), names(NEW))).outcome()).isEqualTo(Outcome.WAIT);
    }

    @Test
    void withoutARoleAnswerNothingIsDecided() {
        assertThat(Confirmation.decide(NEW, new Role.Failed("refused"), group(names(NEW), names(NEW), names(NEW))).outcome())
                .isEqualTo(Outcome.WAIT);
        assertThat(Confirmation.decide(NEW, new Role.Pending(), group(names(NEW), names(NEW), names(NEW))).outcome())
                .isEqualTo(Outcome.WAIT);
    }

    @Test
    void aSentinelThatDoesNotKnowTheMasterCountsAgainst() {
        Answer unknown = new Answer.Names(Optional.empty());
        assertThat(Confirmation.decide(NEW, MASTER, group(names(NEW), unknown, unknown)).outcome()).isEqualTo(Outcome.WAIT);
    }

    @Test
    void aSingleSentinelGroupDecidesAlone() {
        assertThat(Confirmation.decide(NEW, MASTER, Map.of(S1, names(NEW))).outcome()).isEqualTo(Outcome.ACCEPT);
    }
}
