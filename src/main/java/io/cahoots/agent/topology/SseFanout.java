package io.cahoots.agent.topology;

import io.cahoots.agent.config.PushSettings;
import io.cahoots.agent.lifecycle.Background;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Fans views out to the open event streams; a slow reader delays nobody but itself.
 *
 * <ol>
 *   <li>A new subscriber is registered first, then offered the current view, so it cannot miss one published in
 *       between (an offer older than what a subscriber has is ignored).</li>
 *   <li>Each subscriber has one write in flight at most and a buffer of exactly one view: an offer while a write is
 *       in flight replaces the buffered view. A reader that stalls therefore holds one view in memory, and when it
 *       reads again it gets the newest one -- it skips views, never goes back.</li>
 *   <li>Writes are asynchronous; nothing here waits for a socket, so one stalled connection cannot hold up the
 *       loop over the others.</li>
 *   <li>Every heartbeat interval an idle subscriber gets a comment line (invisible to EventSource clients), which
 *       keeps proxies from closing the stream and reveals closed connections. A subscriber whose write has not
 *       completed for four intervals (at least a minute) is closed: its client reconnects and starts from the
 *       current view.</li>
 * </ol>
 */
@ApplicationScoped
public class SseFanout implements TopologySink {

    private static final Logger LOG = Logger.getLogger(SseFanout.class);

    /** One open stream, as the HTTP layer provides it. */
    public interface EventSink {
        CompletionStage<?> send(PublishedView view);

        CompletionStage<?> heartbeat();

        boolean isClosed();

        void close();
    }

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final PushMetrics metrics;
    private final Duration heartbeat;
    private final long stallNanos;
    private ScheduledExecutorService timer;

    public SseFanout(PushSettings push, PushMetrics metrics) {
        this.metrics = metrics;
        this.heartbeat = push.heartbeat();
        this.stallNanos = Math.max(Duration.ofMinutes(1).toNanos(), push.heartbeat().multipliedBy(4).toNanos());
    }

    void start(@Observes StartupEvent event) {
        timer = Background.scheduler("topology-sse-heartbeat");
        long every = heartbeat.toMillis();
        timer.scheduleWithFixedDelay(this::heartbeats, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
        subscribers.forEach(s -> s.sink.close());
    }

    public void subscribe(EventSink sink, Optional<PublishedView> current) {
        subscribe(sink, current, 0);
    }

    /**
     * @param seen the version the client already has ({@code Last-Event-ID}, when it reconnects): neither it nor an
     *             older one is sent, so a client hopping between sidecars never sees its version go down
     */
    public void subscribe(EventSink sink, Optional<PublishedView> current, long seen) {
        Subscriber s = new Subscriber(sink);
        s.skipUpTo(seen);
        subscribers.add(s);
        metrics.sseSubscribers(subscribers.size());
        current.ifPresent(v -> {
            s.catchUpVersion = v.version(); // a catch-up, not a push: kept out of the delivery-latency meter
            s.offer(v);
        });
    }

    @Override
    public void offer(PublishedView view) {
        for (Subscriber s : subscribers) {
            s.offer(view);
        }
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    void heartbeats() {
        long now = System.nanoTime();
        for (Subscriber s : subscribers) {
            if (s.sink.isClosed()) {
                remove(s);
            } else if (s.stalledSince(now) > stallNanos) {
                LOG.infof("closing an event stream that has not taken a write for %ds", s.stalledSince(now) / 1_000_000_000);
                s.sink.close();
                remove(s);
            } else {
                s.heartbeat();
            }
        }
    }

    private void remove(Subscriber s) {
        if (subscribers.remove(s)) {
            metrics.sseSubscribers(subscribers.size());
        }
    }

    private final class Subscriber {
        private final EventSink sink;
        private PublishedView buffered;
        private long newestVersion = Long.MIN_VALUE;
        private boolean writing;
        private long writeStartedNanos;
        private volatile long catchUpVersion = Long.MIN_VALUE;

        Subscriber(EventSink sink) {
            this.sink = sink;
        }

        synchronized void skipUpTo(long version) {
            newestVersion = Math.max(newestVersion, version);
        }

        synchronized void offer(PublishedView v) {
            if (v.version() <= newestVersion) {
                return;
            }
            newestVersion = v.version();
            buffered = v;
            if (!writing) {
                writeNext();
            }
        }

        synchronized void heartbeat() {
            if (writing) {
                return;
            }
            start(sink::heartbeat, null);
        }

        synchronized long stalledSince(long now) {
            return writing ? now - writeStartedNanos : 0;
        }

        /** Called with the lock held and no write in flight. */
        private void writeNext() {
            PublishedView v = buffered;
            buffered = null;
            if (v != null) {
                start(() -> sink.send(v), v);
            }
        }

        private void start(Supplier<CompletionStage<?>> write, PublishedView v) {
            writing = true;
            writeStartedNanos = System.nanoTime();
            CompletionStage<?> stage;
            try {
                stage = write.get();
            } catch (RuntimeException e) {
                writing = false; // closed under our feet
                remove(this);
                return;
            }
            stage.whenComplete((ok, error) -> done(v, error));
        }

        private synchronized void done(PublishedView v, Throwable error) {
            writing = false;
            if (error != null || sink.isClosed()) {
                remove(this);
                return;
            }
            if (v != null && v.version() != catchUpVersion) {
                metrics.delivered("sse", v);
            }
            writeNext();
        }
    }
}
