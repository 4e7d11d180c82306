package io.cahoots.agent.fleet;

import java.time.Instant;

/** Who leads the fleet and since when, as the leader wrote it when it took the lead. */
public record LeaderInfo(String id, Instant since) {
}
