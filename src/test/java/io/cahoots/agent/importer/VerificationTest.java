package io.cahoots.agent.importer;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static io.cahoots.agent.importer.Verification.Difference.MISSING;
import static io.cahoots.agent.importer.Verification.Difference.TTL;
import static io.cahoots.agent.importer.Verification.Difference.TYPE;
import static io.cahoots.agent.importer.Verification.Difference.UNEXPECTED;
import static io.cahoots.agent.importer.Verification.Difference.VALUE;
import static org.assertj.core.api.Assertions.assertThat;

class VerificationTest {

    private static KeyState s(String type, String value, long pttl) {
        return new KeyState(type, value.getBytes(), pttl);
    }

    @Test
    void equalKeysAndAbsentKeysMatch() {
        assertThat(Verification.compare(s("hash", "v", -1), s("hash", "v", -1), 1000)).isEmpty();
        assertThat(Verification.compare(KeyState.ABSENT, KeyState.ABSENT, 1000)).isEmpty();
        assertThat(Verification.compare(s("set", "v", 5000), s("set", "v", 4200), 1000)).isEmpty();
    }

    @Test
    void namesEachKindOfDifference() {
        assertThat(Verification.compare(s("string", "v", -1), KeyState.ABSENT, 1000)).contains(MISSING);
        assertThat(Verification.compare(KeyState.ABSENT, s("string", "v", -1), 1000)).contains(UNEXPECTED);
        assertThat(Verification.compare(s("string", "v", -1), s("list", "v", -1), 1000)).contains(TYPE);
        assertThat(Verification.compare(s("string", "v", -1), s("string", "w", -1), 1000)).contains(VALUE);
        assertThat(Verification.compare(s("string", "v", 5000), s("string", "v", 3000), 1000)).contains(TTL);
        assertThat(Verification.compare(s("string", "v", -1), s("string", "v", 3000), 1000)).contains(TTL);
        assertThat(Verification.compare(s("string", "v", 3000), s("string", "v", -1), 1000)).contains(TTL);
    }

    @Test
    void aKeyExpiringWithinTheToleranceMayAlreadyBeGoneOnTheOtherSide() {
        assertThat(Verification.compare(s("string", "v", 300), KeyState.ABSENT, 1000)).isEqualTo(Optional.empty());
        assertThat(Verification.compare(KeyState.ABSENT, s("string", "v", 300), 1000)).isEqualTo(Optional.empty());
        assertThat(Verification.compare(s("string", "v", 3000), KeyState.ABSENT, 1000)).contains(MISSING);
    }

    @Test
    void theTallyCountsByKind() {
        Verification.Tally t = new Verification.Tally();
        t.checked(10);
        t.add(VALUE);
        t.add(VALUE);
        t.add(TTL);
        assertThat(t.differences()).isEqualTo(3);
        assertThat(t.counts()).containsEntry(VALUE, 2L).containsEntry(TTL, 1L);
        assertThat(t.checked()).isEqualTo(10);
    }
}
