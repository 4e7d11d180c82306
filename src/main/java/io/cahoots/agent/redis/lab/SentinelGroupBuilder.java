package io.cahoots.agent.redis.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;

/**
 * Wires the Sentinel group: one primary, its replicas and the Sentinels watching them.
 * <ol>
 *   <li>{@link #replicate()}: REPLICAOF the primary on every replica, then CONFIG REWRITE so that a restarted
 *       replica comes back as a replica (all data nodes start in parallel, before the primary's port is final).</li>
 *   <li>Wait until the primary lists every replica and each replica reports master_link_status:up. Sentinels start
 *       only now: their first INFO of the primary then already lists the replicas (otherwise up to 10 s later).</li>
 *   <li>The lab starts the Sentinels (sentinel.conf monitors the primary).</li>
 *   <li>{@link #awaitSentinels}: every Sentinel reports the primary as a healthy master, every replica as a
 *       connected replica with link ok, and all other Sentinels (discovered via hello messages every ~2 s).</li>
 * </ol>
 */
final class SentinelGroupBuilder {

    private final LabSpec spec;
    private final LabNode primary;
    private final List<LabNode> replicas;

    SentinelGroupBuilder(LabSpec spec, LabNode primary, List<LabNode> replicas) {
        this.spec = spec;
        this.primary = primary;
        this.replicas = replicas;
    }

    void replicate() {
        for (LabNode r : replicas) {
            try (Jedis j = r.connect()) {
                j.replicaof(primary.address().host(), primary.address().port());
                j.configRewrite();
            }
        }
        List<LabNode> group = new ArrayList<>(replicas);
        group.add(primary);
        Poll.until("sentinel group replication", spec.readyTimeout(), 50, () -> {
            ClusterBuilder.requireRunning(group);
            try (Jedis j = primary.connect()) {
                String info = j.info("replication");
                String want = "connected_slaves:" + replicas.size();
                if (!info.contains(want)) {
                    return "primary " + primary.address() + " has " + ClusterBuilder.field(info, "connected_slaves");
                }
            }
            for (LabNode r : replicas) {
                try (Jedis j = r.connect()) {
                    String info = j.info("replication");
                    if (!info.contains("master_link_status:up")) {
                        return "replica " + r.address() + " has " + ClusterBuilder.field(info, "master_link_status");
                    }
                }
            }
            return null;
        });
    }

    void awaitSentinels(List<LabNode> sentinels) {
        Poll.until("sentinels ready", spec.readyTimeout(), 100, () -> {
            ClusterBuilder.requireRunning(sentinels);
            return problem(sentinels);
        });
    }

    private String problem(List<LabNode> sentinels) {
        String name = spec.sentinelMasterName();
        for (LabNode s : sentinels) {
            try (Jedis j = s.connect()) {
                Map<String, String> m = j.sentinelMaster(name);
                if (!"master".equals(m.get("flags")) || !primary.address().toString().equals(m.get("ip") + ":" + m.get("port"))) {
                    return "sentinel " + s.address() + " sees master " + m.get("ip") + ":" + m.get("port") + " flags " + m.get("flags");
                }
                List<Map<String, String>> seen = j.sentinelReplicas(name);
                for (LabNode r : replicas) {
                    Map<String, String> e = seen.stream()
                            .filter(x -> r.address().toString().equals(x.get("ip") + ":" + x.get("port")))
                            .findFirst().orElse(null);
                    if (e == null || !"slave".equals(e.get("flags")) || !"ok".equals(e.get("master-link-status"))) {
                        return "sentinel " + s.address() + " sees replica " + r.address() + " as " + e;
                    }
                }
                List<Map<String, String>> peers = j.sentinelSentinels(name);
                long healthy = peers.stream().filter(p -> "sentinel".equals(p.get("flags"))).count();
                if (healthy != sentinels.size() - 1) {
                    return "sentinel " + s.address() + " knows " + healthy + " of " + (sentinels.size() - 1) + " other sentinels";
                }
            }
        }
        return null;
    }
}
