package io.cahoots.agent.archfixture.b;

import io.cahoots.agent.archfixture.a.Ping;

/** ArchitectureTest's fixture: the other half of the deliberate cycle. */
public class Pong {
    public Ping serve() {
        return new Ping();
    }
}
