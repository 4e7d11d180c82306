package io.cahoots.agent.topology;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class SseFanoutTest {

    /** Records writes; completes them at once, or only when told (a reader that does not read). */
    static final class FakeSink implements SseFanout.EventSink {
        final List<Long> sent = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> writes = new CopyOnWriteArrayList<>();
        int heartbeats;
        final boolean stalls;
        volatile boolean closed;
        volatile boolean failWrites;

        FakeSink(boolean stalls) {
            this.stalls = stalls;
        }

        @Override
        public CompletionStage<?> send(PublishedView view) {
            sent.add(view.version());
            return write();
        }

        @Override
        public CompletionStage<?> heartbeat() {
            heartbeats++;
            return write();
        }

        private CompletionStage<?> write() {
            CompletableFuture<Void> f = new CompletableFuture<>();
            writes.add(f);
            if (failWrites) {
                f.completeExceptionally(new java.io.IOException("Connection reset"));
            } else if (!stalls) {
                f.complete(null);
            }
            return f;
        }

        void completeAll() {
            writes.forEach(w -> w.complete(null));
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final SseFanout fanout = new SseFanout(PushTesting.settings(List.of(), Duration.ofSeconds(15), Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1)), new PushMetrics(new SimpleMeterRegistry()));

    @Test
    void aStalledReaderDelaysNobodyHoldsOneViewAndResumesWithTheNewest() {
        FakeSink fast = new FakeSink(false);
        FakeSink stalled = new FakeSink(true);
        fanout.subscribe(stalled, Optional.empty());
        fanout.subscribe(fast, Optional.empty());
        long t0 = System.nanoTime();
        for (long v = 1; v <= 1000; v++) {
            fanout.offer(PushTesting.view(v));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        assertThat(fast.sent).hasSize(1000).isSorted();
        assertThat(stalled.sent).containsExactly(1L);
        stalled.completeAll();
        assertThat(stalled.sent).containsExactly(1L, 1000L);
    }

    @Test
    void aNewSubscriberStartsWithTheCurrentViewAndNeverGoesBack() {
        FakeSink sink = new FakeSink(false);
        fanout.subscribe(sink, Optional.of(PushTesting.view(7)));
        fanout.offer(PushTesting.view(6));
        fanout.offer(PushTesting.view(8));
        assertThat(sink.sent).containsExactly(7L, 8L);
    }

    @Test
    void idleStreamsGetHeartbeatsBusyOnesDoNot() {
        FakeSink idle = new FakeSink(false);
        FakeSink busy = new FakeSink(true);
        fanout.subscribe(idle, Optional.empty());
        fanout.subscribe(busy, Optional.of(PushTesting.view(1)));
        fanout.heartbeats();
        assertThat(idle.heartbeats).isEqualTo(1);
        assertThat(busy.heartbeats).isZero();
    }

    @Test
    void closedOrFailingStreamsAreDropped() {
        FakeSink closed = new FakeSink(false);
        FakeSink failing = new FakeSink(false);
        fanout.subscribe(closed, Optional.empty());
        fanout.subscribe(failing, Optional.empty());
        assertThat(fanout.subscriberCount()).isEqualTo(2);
        closed.closed = true;
        failing.failWrites = true;
        fanout.offer(PushTesting.view(1));
        fanout.heartbeats();
        assertThat(fanout.subscriberCount()).isZero();
    }
}
