package io.cahoots.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cahoots.agent.fleet.Fleet;
import io.cahoots.agent.fleet.LeaderInfo;
import io.cahoots.agent.fleet.Member;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/agents}: the sidecars of the fleet, who leads and since when, and which one answered. Every
 * sidecar lists the same members (from the fleet store) except for a few seconds of heartbeat skew.
 */
@Path("/api/v1/agents")
@Produces(MediaType.APPLICATION_JSON)
public class AgentsResource {

    private final Fleet fleet;

    public AgentsResource(Fleet fleet) {
        this.fleet = fleet;
    }

    /**
     * @param self         the sidecar that answered
     * @param shared       false for a fleet of one: no Redis configured, so nothing to share with other sidecars
     * @param storeProblem why this sidecar cannot reach the fleet's store now (absent when it can)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FleetView(String self, boolean shared, Leader leader, List<MemberView> members, String storeProblem) {
    }

    public record Leader(String id, Instant since) {
    }

    public record MemberView(String id, String host, String version, Instant startedAt, Instant lastHeartbeat,
                             boolean leader) {
    }

    @GET
    public FleetView agents() {
        String leaderId = fleet.isLeader() ? fleet.self().id() : fleet.leaderInfo().map(LeaderInfo::id).orElse(null);
        Leader leader = fleet.leaderInfo().filter(l -> l.id().equals(leaderId)).map(l -> new Leader(l.id(), l.since()))
                .orElse(leaderId == null ? null : new Leader(leaderId, null));
        List<MemberView> members = fleet.members().stream().map(m -> view(m, leaderId)).toList();
        return new FleetView(fleet.self().id(), fleet.shared(), leader, members, fleet.storeProblem().orElse(null));
    }

    private static MemberView view(Member m, String leaderId) {
        return new MemberView(m.id(), m.host(), m.version(), m.startedAt(), m.heartbeatAt(), m.id().equals(leaderId));
    }
}
