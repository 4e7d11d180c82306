package io.cahoots.agent.cluster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which of the nodes read belong to the cluster. A node that was removed (forgotten by everyone, then
 * reset) still answers at its old address and still names itself; it must not stay in the snapshot.
 *
 * <ol>
 *   <li>Nodes are linked by the ids their views name. From each reachable seed, the ids reachable over
 *       those links form a component.</li>
 *   <li>The largest component is the cluster (so a removed node that is also a seed stays out).</li>
 *   <li>Kept: reachable observations whose own id is in it, and unreachable addresses that it names or
 *       that are seeds. With no reachable seed nothing is filtered: there is nothing to judge by.</li>
 * </ol>
 */
public final class Membership {

    private Membership() {
    }

    public static List<NodeObservation> members(Collection<HostPort> seeds, Collection<NodeObservation> observations) {
        Map<String, NodeObservation> byId = new HashMap<>();
        Map<HostPort, NodeObservation> byAddress = new HashMap<>();
        for (NodeObservation o : observations) {
            byAddress.put(o.address(), o);
            o.self().ifPresent(s -> byId.put(s.id(), o));
        }
        Set<String> best = null;
        for (HostPort seed : seeds) {
            Optional<String> start = Optional.ofNullable(byAddress.get(seed)).flatMap(NodeObservation::self).map(NodeEntry::id);
            if (start.isEmpty() || (best != null && best.contains(start.get()))) {
                continue;
            }
            Set<String> component = component(start.get(), byId);
            if (best == null || component.size() > best.size()) {
                best = component;
            }
        }
        if (best == null) {
            return new ArrayList<>(observations);
        }
        Set<String> cluster = best;
        Set<HostPort> named = new HashSet<>();
        Set<List<NodeEntry>> seenViews = Collections.newSetFromMap(new IdentityHashMap<>());
        for (String id : best) {
            NodeObservation o = byId.get(id);
            if (o != null && seenViews.add(o.view())) {
                o.view().forEach(e -> e.address().ifPresent(named::add));
            }
            // A cheap read's own line may name an address its shared view does not (a moved node).
            if (o != null) {
                o.ownLine().flatMap(NodeEntry::address).ifPresent(named::add);
            }
        }
        List<NodeObservation> out = new ArrayList<>();
        for (NodeObservation o : observations) {
            boolean keep = o.reachable()
                    ? o.self().map(s -> cluster.contains(s.id())).orElse(false)
                    : named.contains(o.address()) || seeds.contains(o.address());
            if (keep) {
                out.add(o);
            }
        }
        return out;
    }

    private static Set<String> component(String start, Map<String, NodeObservation> byId) {
        Set<String> seen = new HashSet<>();
        // Nodes read the cheap way share one view object: walking it once is enough (and keeps this linear).
        Set<List<NodeEntry>> walked = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<String> todo = new ArrayDeque<>();
        todo.add(start);
        while (!todo.isEmpty()) {
            String id = todo.poll();
            if (!seen.add(id)) {
                continue;
            }
            NodeObservation o = byId.get(id);
            if (o != null && walked.add(o.view())) {
                o.view().forEach(e -> {
                    if (!seen.contains(e.id())) {
                        todo.add(e.id());
                    }
                });
            }
        }
        return seen;
    }
}
