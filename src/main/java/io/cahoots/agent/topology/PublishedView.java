package io.cahoots.agent.topology;

import java.nio.charset.StandardCharsets;

/**
 * A view as it goes out: serialised once, so that {@code GET /topology}, the event stream, every webhook (and its
 * signature) and pub/sub all carry the very same bytes.
 *
 * @param publishedNanos {@link System#nanoTime()} when it was published, for the delivery-latency meters
 */
public record PublishedView(TopologyView view, byte[] json, long publishedNanos) {

    public long version() {
        return view.version();
    }

    /** A strong entity tag: one version, one body. */
    public String etag() {
        return "\"" + view.version() + "\"";
    }

    public String jsonText() {
        return new String(json, StandardCharsets.UTF_8);
    }
}
