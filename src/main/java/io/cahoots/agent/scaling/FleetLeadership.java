package io.cahoots.agent.scaling;

import io.cahoots.agent.fleet.Fleet;
import io.cahoots.agent.fleet.LeaderInfo;

import java.util.Optional;

/**
 * The scaling supervisor's {@link Leadership} when the sidecars share a store: the fleet's leader scales, so that one
 * sidecar does every fleet-wide duty and {@code GET /api/v1/scaling} names the same leader as {@code GET /agents}.
 */
public final class FleetLeadership implements Leadership {

    private final Fleet fleet;

    public FleetLeadership(Fleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public String identity() {
        return fleet.self().id();
    }

    @Override
    public boolean lead() {
        return fleet.isLeader();
    }

    @Override
    public Optional<String> holder() {
        return fleet.isLeader() ? Optional.of(identity()) : fleet.leaderInfo().map(LeaderInfo::id);
    }

    @Override
    public void release() {
        // The fleet gives its lead up on shutdown.
    }
}
