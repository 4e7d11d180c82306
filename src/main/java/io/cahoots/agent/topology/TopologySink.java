package io.cahoots.agent.topology;

import java.util.function.BiConsumer;

/** A push channel. {@link #offer} is called in version order, must not block, and may skip to the newest view. */
public interface TopologySink {

    void offer(PublishedView view);

    /**
     * Where the channel reports each view it delivered: (delivery channel name, version). The fleet keeps these, so
     * that a new leader resends the latest view to a channel the old one had not reached. Called on the channel's own
     * thread; must not block.
     */
    default void onDelivered(BiConsumer<String, Long> ledger) {
    }
}
