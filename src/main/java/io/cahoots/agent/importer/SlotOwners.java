package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.SlotRange;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which master owns each slot of the target cluster, and the grouping of a batch by owner. Pure.
 * A key whose slot has no owner is grouped under {@code null}: the caller refuses to write it rather than guess.
 */
public final class SlotOwners {

    private final HostPort[] owner;

    public SlotOwners(HostPort[] owner) {
        if (owner.length != KeySlots.SLOTS) {
            throw new IllegalArgumentException("need one owner per slot, got " + owner.length);
        }
        this.owner = owner.clone();
    }

    public static SlotOwners of(ClusterSnapshot snapshot) {
        HostPort[] owner = new HostPort[KeySlots.SLOTS];
        for (ClusterNode m : snapshot.masters()) {
            if (m.address().isEmpty()) {
                continue;
            }
            for (SlotRange r : m.slots()) {
                for (int s = r.start(); s <= r.end(); s++) {
                    owner[s] = m.address().get();
                }
            }
        }
        return new SlotOwners(owner);
    }

    public HostPort ownerOf(byte[] key) {
        return owner[KeySlots.slot(key)];
    }

    public boolean complete() {
        for (HostPort h : owner) {
            if (h == null) {
                return false;
            }
        }
        return true;
    }

    /** The masters that own at least one slot, in slot order. */
    public List<HostPort> masters() {
        List<HostPort> out = new ArrayList<>();
        for (HostPort h : owner) {
            if (h != null && !out.contains(h)) {
                out.add(h);
            }
        }
        return out;
    }

    /** Groups items by the master owning their key's slot, keeping the batch's order inside each group. */
    public <T> Map<HostPort, List<T>> group(List<T> items, Function<T, byte[]> key) {
        Map<HostPort, List<T>> out = new LinkedHashMap<>();
        for (T item : items) {
            out.computeIfAbsent(ownerOf(key.apply(item)), h -> new ArrayList<>()).add(item);
        }
        return out;
    }
}
