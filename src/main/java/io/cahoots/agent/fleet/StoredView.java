package io.cahoots.agent.fleet;

/** The fleet's current topology view as stored: its version and the exact bytes every channel sends. */
public record StoredView(long version, byte[] json) {
}
