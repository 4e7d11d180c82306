package io.cahoots.agent.topology;

import java.util.Objects;

/**
 * Decides when a changed content becomes a new published view. Pure: time is passed in, timers are the caller's.
 *
 * <ol>
 *   <li>Content equal to the last published one is nothing new (and cancels a pending change that flapped back).</li>
 *   <li>The first view, a failover, or a change at least {@code window} after the last publish goes out at once.</li>
 *   <li>Otherwise the change waits until {@code window} after the last publish; further changes meanwhile replace it
 *       (one timer, latest content wins), so a rebalance moving a batch of slots per poll yields at most one view
 *       per window rather than one per slot.</li>
 * </ol>
 * Safety: the published cause always describes the net change from the previous published view to the new one.
 * Not thread-safe: the caller serialises calls.
 */
final class Coalescer {

    sealed interface Step {
        record Publish(TopologyView.Content content, String cause) implements Step {
        }

        /** Arm a timer that calls {@link #timer} after this many nanoseconds. */
        record Wait(long nanos) implements Step {
        }

        record Idle() implements Step {
        }
    }

    private static final Step IDLE = new Step.Idle();

    private final long windowNanos;
    private TopologyView.Content published;
    private TopologyView.Content pending;
    private long lastPublishNanos;
    private boolean timerArmed;

    Coalescer(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    Step offer(TopologyView.Content content, long nowNanos) {
        if (published != null && published.equals(content)) {
            pending = null;
            return IDLE;
        }
        if (Objects.equals(content, pending)) {
            return IDLE;
        }
        pending = content;
        if (published == null || Causes.between(published, content).equals(Causes.FAILOVER)
                || nowNanos - lastPublishNanos >= windowNanos) {
            return publish(nowNanos);
        }
        if (timerArmed) {
            return IDLE;
        }
        timerArmed = true;
        return new Step.Wait(lastPublishNanos + windowNanos - nowNanos);
    }

    /** Starts from a view published elsewhere (by the previous fleet leader): equal content is nothing new. */
    void seed(TopologyView.Content content, long nowNanos) {
        published = content;
        pending = null;
        lastPublishNanos = nowNanos;
    }

    Step timer(long nowNanos) {
        timerArmed = false;
        return pending == null ? IDLE : publish(nowNanos);
    }

    private Step publish(long nowNanos) {
        Step.Publish p = new Step.Publish(pending, Causes.between(published, pending));
        published = pending;
        pending = null;
        lastPublishNanos = nowNanos;
        return p;
    }
}
