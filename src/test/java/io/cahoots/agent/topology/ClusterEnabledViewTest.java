package io.cahoots.agent.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.cahoots.agent.topology.CoalescerTest.MS;
import static io.cahoots.agent.topology.CoalescerTest.owner;
import static org.assertj.core.api.Assertions.assertThat;

/** The cutover announcement of an import (issue 15): its place among coalesced views, and its JSON. */
class ClusterEnabledViewTest {

    final Coalescer c = new Coalescer(500 * CoalescerTest.MS);

    @Test
    void anAnnouncementBecomesThePublishedContentSoTheSameContentIsNotSentAgain() {
        c.offer(owner(8191), 0);
        assertThat(c.announce(owner(8191), 100 * MS)).isEqualTo(owner(8191));
        assertThat(c.offer(owner(8191), 900 * MS)).isInstanceOf(Coalescer.Step.Idle.class);
        // the next real change is described against the announced content
        assertThat(c.offer(owner(8000), 1000 * MS)).isEqualTo(new Coalescer.Step.Publish(owner(8000), Causes.SLOTS_MOVED));
    }

    @Test
    void aPendingChangeEqualToTheAnnouncedContentIsDropped() {
        c.offer(owner(8191), 0);
        assertThat(c.offer(owner(8000), 100 * MS)).isInstanceOf(Coalescer.Step.Wait.class);
        c.announce(owner(8000), 200 * MS);
        assertThat(c.timer(500 * MS)).isInstanceOf(Coalescer.Step.Idle.class);
    }

    @Test
    void withoutAnyContentYetTheAnnouncementCarriesTheLastPublishedOne() {
        c.offer(owner(8191), 0);
        assertThat(c.announce(null, 100 * MS)).isEqualTo(owner(8191));
        assertThat(new Coalescer(0).announce(null, 0)).isEqualTo(TopologyView.Content.EMPTY);
    }

    @Test
    void retiredIsAbsentFromOrdinaryViewsAndNamesThePrimaryAfterACutover() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        String plain = mapper.writeValueAsString(TopologyView.of(1, Causes.FAILOVER, "t", owner(8191)));
        assertThat(plain).doesNotContain("retired");
        String enabled = mapper.writeValueAsString(TopologyView.of(2, Causes.CLUSTER_ENABLED, "t", owner(8191),
                List.of(new TopologyView.Retired("mymaster", "127.0.0.1:6380", "t"))));
        assertThat(enabled).contains("\"cause\":\"cluster-enabled\"")
                .contains("\"retired\":[{\"name\":\"mymaster\",\"primary\":\"127.0.0.1:6380\",\"at\":\"t\"}]")
                .contains("\"shards\":[{\"slots\":[[0,8191]],\"master\":\"a:1\"");
    }
}
