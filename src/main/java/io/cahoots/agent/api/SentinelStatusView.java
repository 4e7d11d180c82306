package io.cahoots.agent.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.cahoots.agent.sentinel.SentinelView;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON of {@code GET /api/v1/sentinel}: addresses as {@code host:port} text, times as ISO-8601, absent as null. */
public final class SentinelStatusView {

    private SentinelStatusView() {
    }

    @JsonPropertyOrder({"at", "sentinels", "masters"})
    public record Status(String at, List<Sentinel> sentinels, Map<String, Master> masters) {
    }

    public record Sentinel(String address, String runId, boolean configured, boolean reachable, boolean subscribed,
                           String error) {
    }

    @JsonPropertyOrder({"address", "since", "flags", "configEpoch", "quorum", "quorumReachable", "quorumDetail",
            "sentinelsAgreeing", "replicas", "sentinels", "lastFailover"})
    public record Master(String address, String since, String flags, long configEpoch, int quorum, boolean quorumReachable,
                         String quorumDetail, String sentinelsAgreeing, List<Replica> replicas, List<Peer> sentinels,
                         Failover lastFailover) {
    }

    /** @param lagBytes null when the master could not be asked */
    public record Replica(String address, String flags, String linkStatus, boolean online, Long lagBytes) {
    }

    /** @param names the master address this Sentinel reports, null when it did not answer */
    public record Peer(String address, String runId, boolean reachable, String names, boolean agrees) {
    }

    public record Failover(String at, String from, String to) {
    }

    public static Status of(SentinelView v) {
        List<Sentinel> sentinels = v.sentinels().stream().map(s -> new Sentinel(s.address().toString(),
                s.runId().orElse(null), s.configured(), s.reachable(), s.subscribed(), s.error().orElse(null))).toList();
        Map<String, Master> masters = new TreeMap<>();
        v.masters().forEach((name, m) -> masters.put(name, new Master(m.address().toString(), m.since().toString(),
                m.flags(), m.configEpoch(), m.quorum(), m.quorumReachable(), m.quorumDetail(),
                m.sentinelsAgreeing() + "/" + m.sentinels().size(),
                m.replicas().stream().map(r -> new Replica(r.address().toString(), r.flags(), r.linkStatus(), r.online(),
                        r.lagBytes().isPresent() ? r.lagBytes().getAsLong() : null)).toList(),
                m.sentinels().stream().map(p -> new Peer(p.address().toString(), p.runId().orElse(null), p.reachable(),
                        p.names().map(Object::toString).orElse(null), p.names().filter(m.address()::equals).isPresent())).toList(),
                m.lastFailover().map(f -> new Failover(f.at().toString(), f.from().toString(), f.to().toString())).orElse(null))));
        return new Status(v.at().toString(), sentinels, masters);
    }
}
