package io.cahoots.agent.cluster;

/** A slot a node has marked {@code migrating} (to {@code peerId}) or {@code importing} (from {@code peerId}). */
public record OpenSlot(int slot, String nodeId, State state, String peerId) implements Comparable<OpenSlot> {

    public enum State { MIGRATING, IMPORTING }

    @Override
    public int compareTo(OpenSlot o) {
        if (slot != o.slot) {
            return Integer.compare(slot, o.slot);
        }
        return nodeId.compareTo(o.nodeId);
    }
}
