package io.cahoots.agent.api;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import io.cahoots.agent.topology.PublishedView;
import io.cahoots.agent.topology.SseFanout;
import io.cahoots.agent.topology.TopologyHub;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.Arrays;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /api/v1/topology} (with ETag / If-None-Match) and {@code GET /api/v1/topology/stream} (Server-Sent
 * Events: the current view first, then one event per new version, {@code id} = version; comment heartbeats).
 */
@Path("/api/v1/topology")
public class TopologyResource {

    private final TopologyHub hub;
    private final SseFanout fanout;

    public TopologyResource(TopologyHub hub, SseFanout fanout) {
        this.hub = hub;
        this.fanout = fanout;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "the application view (version, cause, at, cluster shards, Sentinel masters), with its ETag",
            content = @Content(mediaType = "application/json", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT)))
    @APIResponse(responseCode = "304", description = "If-None-Match named the current view's ETag")
    public Response topology(@HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        PublishedView v = hub.current(versionIn(ifNoneMatch)).orElseThrow(() -> ApiProblem.unavailable("topology-not-ready",
                "the first view is built once every configured source (cluster, Sentinels) has answered, or 10s after start"));
        if (matches(ifNoneMatch, v.etag())) {
            return Response.notModified().header(HttpHeaders.ETAG, v.etag()).build();
        }
        return Response.ok(v.json(), MediaType.APPLICATION_JSON_TYPE).header(HttpHeaders.ETAG, v.etag())
                .header(HttpHeaders.CACHE_CONTROL, "no-cache").build();
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@Context SseEventSink sink, @Context Sse sse, @HeaderParam("Last-Event-ID") String lastEventId) {
        long seen = version(lastEventId);
        fanout.subscribe(new Sink(sink, sse), hub.current(seen), seen);
    }

    /**
     * The version a client says it has (an event id or an entity tag), or 0. A client that hops between sidecars names
     * what it saw, so that a sidecar a moment behind the fleet catches up rather than sending it an older view.
     */
    static long version(String text) {
        if (text == null) {
            return 0;
        }
        try {
            return Long.parseLong(text.trim().replace("W/", "").replace("\"", ""));
        } catch (NumberFormatException e) {
            return 0; // not one of ours: as if none were given
        }
    }

    private static long versionIn(String ifNoneMatch) {
        if (ifNoneMatch == null) {
            return 0;
        }
        return Arrays.stream(ifNoneMatch.split(",")).mapToLong(TopologyResource::version).max().orElse(0);
    }

    /** RFC 9110: a list of tags, weak ones compared weakly, or {@code *}. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
            return false;
        }
        return Arrays.stream(ifNoneMatch.split(",")).map(String::trim)
                .map(t -> t.startsWith("W/") ? t.substring(2) : t)
                .anyMatch(t -> t.equals("*") || t.equals(etag));
    }

    private record Sink(SseEventSink sink, Sse sse) implements SseFanout.EventSink {
        @Override
        public CompletionStage<?> send(PublishedView v) {
            return sink.send(sse.newEventBuilder().id(Long.toString(v.version())).data(String.class, v.jsonText()).build());
        }

        @Override
        public CompletionStage<?> heartbeat() {
            return sink.send(sse.newEventBuilder().comment("keepalive").build());
        }

        @Override
        public boolean isClosed() {
            return sink.isClosed();
        }

        @Override
        public void close() {
            sink.close();
        }
    }
}
