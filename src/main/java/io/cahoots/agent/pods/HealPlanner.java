package io.cahoots.agent.pods;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.NodeFlag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which {@code CLUSTER MEET}s reconnect nodes that came back at new addresses; a pure function of what each
 * node answering at a current (pod) address says in {@code CLUSTER NODES}.
 *
 * <ol>
 *   <li>Each answering node's id and bus port come from its own ({@code myself}) line; the address is the one it
 *       answered at. That is where every node <em>is</em>.</li>
 *   <li>A node is <b>isolated</b> when it lists peers but no peer at the address the peer is at now over a connected
 *       link, and no peer lists it so either: nothing it can gossip with, in either direction. Every pod restarted at
 *       once leaves every node isolated.</li>
 *   <li>No isolated node: nothing to do. A single node that moved still lists its peers where they are, pings them,
 *       and they take its new address from its ping (and the one node left where it was, when all others moved, is
 *       pinged by them); Redis' gossip repairs that, the agent does not interfere.</li>
 *   <li>Otherwise each isolated node {@code MEET}s every peer it lists at a stale address, at that peer's current
 *       address and bus port. Redis treats a MEET with a known node id as an address change.</li>
 * </ol>
 * Safety: a node is only ever met with peers <em>it already lists by id</em>; the agent never introduces a stranger,
 * so two clusters can never be merged by a heal, and an empty node (a new pod, knowing nobody) is never touched here.
 */
public final class HealPlanner {

    private HealPlanner() {
    }

    public record Meet(HostPort node, String peerId, HostPort peer, int peerBusPort) {
        @Override
        public String toString() {
            return node + " MEET " + peer + "@" + peerBusPort + " (" + peerId + ")";
        }
    }

    /** @param isolated addresses of isolated nodes; {@code meets} is empty when there are none */
    public record Plan(List<HostPort> isolated, List<Meet> meets, int staleEntries) {
        public boolean needed() {
            return !meets.isEmpty();
        }
    }

    record Current(HostPort address, int busPort) {
    }

    public static Plan plan(Map<HostPort, List<NodeEntry>> views) {
        Map<String, Current> current = new LinkedHashMap<>();
        for (Map.Entry<HostPort, List<NodeEntry>> v : views.entrySet()) {
            self(v.getValue()).ifPresent(me -> current.putIfAbsent(me.id(), new Current(v.getKey(), me.busPort())));
        }
        // Who reaches whom: a peer listed at the address it answers at, over a connected link, carries gossip both ways.
        java.util.Set<String> reached = new java.util.HashSet<>();
        java.util.Set<HostPort> reaching = new java.util.HashSet<>();
        for (Map.Entry<HostPort, List<NodeEntry>> v : views.entrySet()) {
            for (NodeEntry p : peers(v.getValue())) {
                Current c = current.get(p.id());
                if (c != null && p.address().filter(c.address()::equals).isPresent() && p.linkConnected()) {
                    reached.add(p.id());
                    reaching.add(v.getKey());
                }
            }
        }
        List<HostPort> isolated = new ArrayList<>();
        List<Meet> meets = new ArrayList<>();
        int stale = 0;
        for (Map.Entry<HostPort, List<NodeEntry>> v : views.entrySet()) {
            Optional<NodeEntry> me = self(v.getValue());
            if (me.isEmpty()) {
                continue;
            }
            List<NodeEntry> peers = peers(v.getValue());
            List<Meet> mine = new ArrayList<>();
            for (NodeEntry p : peers) {
                Current c = current.get(p.id());
                if (c != null && p.address().filter(c.address()::equals).isEmpty()) {
                    stale++;
                    mine.add(new Meet(v.getKey(), p.id(), c.address(), c.busPort()));
                }
            }
            if (!peers.isEmpty() && !reaching.contains(v.getKey()) && !reached.contains(me.get().id())) {
                isolated.add(v.getKey());
                meets.addAll(mine);
            }
        }
        return new Plan(isolated, meets, stale);
    }

    private static List<NodeEntry> peers(List<NodeEntry> view) {
        return view.stream().filter(e -> !e.myself() && !e.flags().contains(NodeFlag.HANDSHAKE)).toList();
    }

    private static Optional<NodeEntry> self(List<NodeEntry> view) {
        return view.stream().filter(NodeEntry::myself).findFirst();
    }
}
