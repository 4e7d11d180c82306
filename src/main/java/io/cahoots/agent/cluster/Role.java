package io.cahoots.agent.cluster;

public enum Role {
    MASTER, REPLICA;

    public String wire() {
        return this == MASTER ? "master" : "replica";
    }
}
