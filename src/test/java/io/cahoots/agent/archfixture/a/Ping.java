package io.cahoots.agent.archfixture.a;

import io.cahoots.agent.archfixture.b.Pong;

/** ArchitectureTest's fixture: a deliberate cycle between two packages, for the cycle rule to catch. */
public class Ping {
    public Pong answer() {
        return new Pong();
    }
}
