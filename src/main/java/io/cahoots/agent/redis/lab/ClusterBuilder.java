package io.cahoots.agent.redis.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * Turns freshly started, empty cluster-enabled nodes into a Redis Cluster, the way redis-cli --cluster create does,
 * but with Jedis so that the lab controls every wait:
 * <ol>
 *   <li>Read every node's id (CLUSTER MYID).</li>
 *   <li>CLUSTER ADDSLOTSRANGE: 16384 slots split evenly, the first masters take one extra slot each for the
 *       remainder.</li>
 *   <li>CLUSTER SET-CONFIG-EPOCH 1..n on every node while it is still alone, so there are no epoch collisions to
 *       resolve (which would delay convergence).</li>
 *   <li>CLUSTER MEET every node to the first one, giving the explicit cluster bus port.</li>
 *   <li>Wait until every node knows every other node out of the handshake state.</li>
 *   <li>CLUSTER REPLICATE replica i to master i mod masters.</li>
 *   <li>Wait until {@link #problem} finds nothing: cluster_state:ok everywhere, identical slot maps and replica
 *       assignments in every node's CLUSTER NODES, no fail flags, each replica's master_link_status:up.</li>
 * </ol>
 */
final class ClusterBuilder {

    private final List<LabNode> masters;
    private final List<LabNode> replicas;
    private final Duration timeout;

    ClusterBuilder(List<LabNode> masters, List<LabNode> replicas, Duration timeout) {
        this.masters = masters;
        this.replicas = replicas;
        this.timeout = timeout;
    }

    void build() {
        List<LabNode> all = new ArrayList<>(masters);
        all.addAll(replicas);
        Map<LabNode, String> ids = new HashMap<>();
        for (LabNode n : all) {
            ids.put(n, call(n, Jedis::clusterMyId));
        }

        int base = ClusterNodesView.SLOTS / masters.size();
        int extra = ClusterNodesView.SLOTS % masters.size();
        int first = 0;
        for (int i = 0; i < masters.size(); i++) {
            int last = first + base + (i < extra ? 1 : 0) - 1;
            int from = first;
            call(masters.get(i), j -> j.clusterAddSlotsRange(from, last));
            first = last + 1;
        }

        for (int i = 0; i < all.size(); i++) {
            String epoch = Integer.toString(i + 1);
            call(all.get(i), j -> j.sendCommand(Protocol.Command.CLUSTER, "SET-CONFIG-EPOCH", epoch));
        }

        LabNode seed = all.get(0);
        for (LabNode n : all.subList(1, all.size())) {
            call(n, j -> j.sendCommand(Protocol.Command.CLUSTER, "MEET", seed.address().host(),
                    Integer.toString(seed.address().port()), Integer.toString(seed.clusterBusPort())));
        }
        Poll.until("all " + all.size() + " cluster nodes meeting", timeout, 50, () -> {
            requireRunning(all);
            for (LabNode n : all) {
                ClusterNodesView view = ClusterNodesView.parse(call(n, Jedis::clusterNodes));
                for (LabNode other : all) {
                    ClusterNodesView.Line l = view.byPort(other.address().port());
                    if (l == null || l.has("handshake") || l.has("noaddr")) {
                        return n.address() + " does not know " + other.address() + " yet";
                    }
                }
            }
            return null;
        });

        Map<Integer, Integer> masterPortOf = new HashMap<>();
        for (int i = 0; i < replicas.size(); i++) {
            LabNode replica = replicas.get(i);
            LabNode master = masters.get(i % masters.size());
            masterPortOf.put(replica.address().port(), master.address().port());
            String masterId = ids.get(master);
            // The replica may not have learnt through gossip yet that the target is a master.
            Poll.until(replica.address() + " replicating " + master.address(), timeout, 50, () -> {
                requireRunning(all);
                return "OK".equals(call(replica, j -> j.clusterReplicate(masterId))) ? null : "not OK";
            });
        }

        Poll.until("cluster ready", timeout, 50, () -> problem(all, masterPortOf));
    }

    /** A dead node will not come back by waiting: fail now instead of at the timeout. */
    static void requireRunning(List<LabNode> nodes) {
        for (LabNode n : nodes) {
            if (!n.isAlive()) {
                throw new LabException(n + " is not running; log " + n.logFile() + ":\n" + Procs.tail(n.logFile(), 15));
            }
        }
    }

    /**
     * What keeps the cluster formed by {@code nodes} from being ready, or null; throws when a node is not running.
     * {@code masterPortOf} (replica port -> master port) may be empty when any replica assignment is fine, e.g. after
     * a failover.
     */
    static String problem(List<LabNode> nodes, Map<Integer, Integer> masterPortOf) {
        requireRunning(nodes);
        String[] refSlots = null;
        List<String> refReplication = null;
        LabNode ref = null;
        for (LabNode n : nodes) {
            try (Jedis j = n.connect()) {
                String info = j.clusterInfo();
                if (!info.contains("cluster_state:ok")) {
                    return n.address() + " reports " + field(info, "cluster_state");
                }
                ClusterNodesView view = ClusterNodesView.parse(j.clusterNodes());
                for (LabNode other : nodes) {
                    ClusterNodesView.Line l = view.byPort(other.address().port());
                    if (l == null) {
                        return n.address() + " does not know " + other.address();
                    }
                    for (String bad : List.of("fail", "fail?", "handshake", "noaddr")) {
                        if (l.has(bad)) {
                            return n.address() + " flags " + other.address() + " " + bad;
                        }
                    }
                }
                for (Map.Entry<Integer, Integer> e : masterPortOf.entrySet()) {
                    ClusterNodesView.Line replica = view.byPort(e.getKey());
                    ClusterNodesView.Line master = view.byPort(e.getValue());
                    if (!replica.isReplica() || !replica.masterId().equals(master.id())) {
                        return n.address() + " does not see :" + e.getKey() + " replicating :" + e.getValue();
                    }
                }
                String[] slots = view.slotOwners();
                List<String> replication = view.replication();
                if (ref == null) {
                    ref = n;
                    refSlots = slots;
                    refReplication = replication;
                } else if (!Arrays.equals(refSlots, slots)) {
                    return n.address() + " and " + ref.address() + " disagree on the slot map";
                } else if (!refReplication.equals(replication)) {
                    return n.address() + " and " + ref.address() + " disagree on replicas " + replication + " vs "
                            + refReplication;
                }
                if (view.myself().isReplica()) {
                    String repl = j.info("replication");
                    if (!repl.contains("master_link_status:up")) {
                        return "replica " + n.address() + " has " + field(repl, "master_link_status");
                    }
                }
            }
        }
        return null;
    }

    static String field(String info, String name) {
        return info.lines().filter(l -> l.startsWith(name + ":")).findFirst().orElse(name + ":?").trim();
    }

    private static <T> T call(LabNode n, Function<Jedis, T> f) {
        try (Jedis j = n.connect()) {
            return f.apply(j);
        }
    }
}
