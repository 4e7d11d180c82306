package io.cahoots.agent.cluster;

import java.util.Optional;

/** Flags printed by {@code CLUSTER NODES}; unknown future flags are ignored rather than rejected. */
public enum NodeFlag {
    MYSELF("myself"),
    MASTER("master"),
    REPLICA("slave"),
    PFAIL("fail?"),
    FAIL("fail"),
    HANDSHAKE("handshake"),
    NOADDR("noaddr"),
    NOFAILOVER("nofailover");

    private final String wire;

    NodeFlag(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<NodeFlag> fromWire(String text) {
        for (NodeFlag f : values()) {
            if (f.wire.equals(text)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
