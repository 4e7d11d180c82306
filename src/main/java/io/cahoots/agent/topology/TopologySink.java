package io.cahoots.agent.topology;

/** A push channel. {@link #offer} is called in version order, must not block, and may skip to the newest view. */
public interface TopologySink {

    void offer(PublishedView view);
}
