package io.cahoots.agent.cluster;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the view digest sees and ignores (ClusterObserverIT checks that the Lua script computes the same). */
class ViewDigestTest {

    private static final String A = "aaaa 127.0.0.1:30001@40001 myself,master - 0 1764450000000 1 connected 0-8191 [5->-bbbb]";
    private static final String B = "bbbb 127.0.0.1:30002@40002 master - 0 1764450000000 2 connected 8192-16383";
    private static final String C = "cccc 127.0.0.1:30003@40003 slave aaaa 0 1764450000000 1 connected";

    @Test
    void lineOrderMyselfOpenSlotMarkersAndPingTimesDoNotCount() {
        String asA = A + "\n" + B + "\n" + C + "\n";
        // The same cluster as B sees it: another order, myself moved, other ping/pong times, no markers.
        String asB = C.replace(" 0 1764450000000 ", " 1764450000999 1764450001000 ") + "\n"
                + "bbbb 127.0.0.1:30002@40002 myself,master - 0 0 2 connected 8192-16383\n"
                + "aaaa 127.0.0.1:30001@40001 master - 0 1764450000000 1 connected 0-8191\n";
        assertThat(ViewDigest.of(asA)).hasSize(40).isEqualTo(ViewDigest.of(asB));
    }

    @Test
    void slotsFlagsEpochsAddressesAndLinksCount() {
        String base = A + "\n" + B + "\n" + C;
        String digest = ViewDigest.of(base);
        assertThat(ViewDigest.of(base.replace("8192-16383", "8193-16383"))).isNotEqualTo(digest);
        assertThat(ViewDigest.of(base.replace("2 connected", "2 disconnected"))).isNotEqualTo(digest);
        assertThat(ViewDigest.of(base.replace("bbbb 127.0.0.1:30002@40002 master", "bbbb 127.0.0.1:30002@40002 master,fail?")))
                .isNotEqualTo(digest);
        assertThat(ViewDigest.of(base.replace(" 2 connected", " 3 connected"))).isNotEqualTo(digest);
        assertThat(ViewDigest.of(base.replace("30003@", "30009@"))).isNotEqualTo(digest);
        assertThat(ViewDigest.of(A + "\n" + B)).isNotEqualTo(digest);
    }
}
