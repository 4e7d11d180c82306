package io.cahoots.agent.importer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NotifyFlagsTest {

    @Test
    void addsTheKeyspaceChannelAndEveryEventClassKeepingWhatWasSet() {
        assertThat(NotifyFlags.merged("")).isEqualTo("KA");
        assertThat(NotifyFlags.merged("Ex")).isEqualTo("ExKA");
        assertThat(NotifyFlags.merged("AKE")).isEqualTo("AKE");
        assertThat(NotifyFlags.merged("Kg$lshzxetd")).isEqualTo("Kg$lshzxetd");
        assertThat(NotifyFlags.merged(null)).isEqualTo("KA");
    }

    @Test
    void sufficientWhenNothingNeedsAdding() {
        assertThat(NotifyFlags.sufficient("AKE")).isTrue();
        assertThat(NotifyFlags.sufficient("KA")).isTrue();
        assertThat(NotifyFlags.sufficient("EA")).isFalse();
        assertThat(NotifyFlags.sufficient("")).isFalse();
    }
}
