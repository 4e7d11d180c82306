package io.cahoots.agent.topology;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CoalescerTest {

    static final long MS = 1_000_000;

    static TopologyView.Content owner(int split) {
        return new TopologyView.Content(List.of(
                new TopologyView.Shard(List.of(List.of(0, split)), "a:1", List.of("c:1")),
                new TopologyView.Shard(List.of(List.of(split + 1, 16383)), "b:1", List.of("d:1"))), Map.of());
    }

    final Coalescer c = new Coalescer(500 * MS);

    @Test
    void aRebalanceYieldsOneViewPerWindowCarryingTheLatestContent() {
        assertThat(c.offer(owner(8191), 0)).isInstanceOf(Coalescer.Step.Publish.class);
        // A batch of slots moves at every poll; within the window they wait behind one timer.
        assertThat(c.offer(owner(8000), 100 * MS)).isEqualTo(new Coalescer.Step.Wait(400 * MS));
        assertThat(c.offer(owner(7800), 200 * MS)).isInstanceOf(Coalescer.Step.Idle.class);
        assertThat(c.offer(owner(7600), 300 * MS)).isInstanceOf(Coalescer.Step.Idle.class);
        Coalescer.Step fired = c.timer(500 * MS);
        assertThat(fired).isEqualTo(new Coalescer.Step.Publish(owner(7600), Causes.SLOTS_MOVED));
        assertThat(c.offer(owner(7400), 600 * MS)).isEqualTo(new Coalescer.Step.Wait(400 * MS));
    }

    @Test
    void aChangeAfterAQuietWindowGoesOutAtOnce() {
        c.offer(owner(8191), 0);
        assertThat(c.offer(owner(8000), 900 * MS)).isEqualTo(new Coalescer.Step.Publish(owner(8000), Causes.SLOTS_MOVED));
    }

    @Test
    void aFailoverIsNeverHeldBack() {
        c.offer(owner(8191), 0);
        c.offer(owner(8000), 100 * MS);
        TopologyView.Content failedOver = new TopologyView.Content(List.of(
                new TopologyView.Shard(List.of(List.of(0, 8000)), "c:1", List.of()),
                new TopologyView.Shard(List.of(List.of(8001, 16383)), "b:1", List.of("d:1"))), Map.of());
        assertThat(c.offer(failedOver, 150 * MS)).isEqualTo(new Coalescer.Step.Publish(failedOver, Causes.FAILOVER));
        assertThat(c.timer(500 * MS)).as("the pending change went out with the failover").isInstanceOf(Coalescer.Step.Idle.class);
    }

    @Test
    void aChangeThatFlapsBackBeforeTheTimerIsNotPublished() {
        c.offer(owner(8191), 0);
        c.offer(owner(8000), 100 * MS);
        assertThat(c.offer(owner(8191), 200 * MS)).isInstanceOf(Coalescer.Step.Idle.class);
        assertThat(c.timer(500 * MS)).isInstanceOf(Coalescer.Step.Idle.class);
    }

    @Test
    void theSameContentTwiceIsNothingNew() {
        c.offer(owner(8191), 0);
        assertThat(c.offer(owner(8191), 900 * MS)).isInstanceOf(Coalescer.Step.Idle.class);
    }

    @Test
    void aZeroWindowPublishesEveryChange() {
        Coalescer none = new Coalescer(0);
        none.offer(owner(8191), 0);
        assertThat(none.offer(owner(8000), 1)).isInstanceOf(Coalescer.Step.Publish.class);
    }
}
