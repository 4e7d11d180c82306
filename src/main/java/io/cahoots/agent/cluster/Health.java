package io.cahoots.agent.cluster;

/** A node's health as the agent reports it, worst first. */
public enum Health {
    /** The cluster agreed the node failed ({@code fail} flag). */
    FAIL("fail"),
    /** The agent itself cannot read the node (refused, timed out, auth error). */
    UNREACHABLE("unreachable"),
    /** At least one node suspects it ({@code fail?}). */
    PFAIL("pfail"),
    /** Answers, but is still loading its data set ({@code INFO} {@code loading:1}). */
    LOADING("loading"),
    /** Still joining ({@code handshake} or {@code noaddr}). */
    HANDSHAKE("handshake"),
    OK("ok");

    private final String wire;

    Health(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
