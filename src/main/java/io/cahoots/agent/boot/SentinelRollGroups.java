package io.cahoots.agent.boot;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.executor.NodeRestartException;
import io.cahoots.agent.executor.SentinelGroups;
import io.cahoots.agent.planner.RollPlanner;
import io.cahoots.agent.redis.RedisException;
import io.cahoots.agent.redis.SentinelClient;
import io.cahoots.agent.sentinel.SentinelView;
import io.cahoots.agent.sentinel.SentinelWatcher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The roll's view of the Sentinel groups: the groups from the watcher's latest view, the live answers (who is
 * primary, what a data node says) straight from the Sentinels and nodes, never the watcher's slower belief.
 */
final class SentinelRollGroups implements SentinelGroups {

    private final SentinelWatcher watcher;
    private final SentinelClient client;

    SentinelRollGroups(SentinelWatcher watcher, SentinelClient client) {
        this.watcher = watcher;
        this.client = client;
    }

    @Override
    public List<RollPlanner.SentinelGroup> groups() {
        SentinelView view = watcher.latest().orElse(null);
        if (view == null) {
            return List.of();
        }
        List<RollPlanner.SentinelGroup> out = new ArrayList<>();
        for (SentinelView.MasterState m : view.masters().values()) {
            List<HostPort> online = new ArrayList<>();
            List<HostPort> offline = new ArrayList<>();
            for (SentinelView.ReplicaState r : m.replicas()) {
                (r.online() ? online : offline).add(r.address());
            }
            out.add(new RollPlanner.SentinelGroup(m.name(), m.address(), online, offline, m.quorumReachable()));
        }
        return out;
    }

    private List<HostPort> sentinelsOf(String name) {
        SentinelView.MasterState m = watcher.latest().map(v -> v.masters().get(name))
                .orElseThrow(() -> new NodeRestartException("Sentinel group " + name + " is no longer watched"));
        return m.sentinels().stream().map(SentinelView.PeerState::address).sorted().toList();
    }

    @Override
    public void failover(String name) {
        RedisException last = null;
        for (HostPort s : sentinelsOf(name)) {
            try {
                client.failover(s, name);
                return;
            } catch (RedisException e) {
                last = e; // this Sentinel is down or refuses (e.g. INPROG): the next one may take it
            }
        }
        throw new NodeRestartException("no Sentinel of " + name + " accepted SENTINEL FAILOVER"
                + (last == null ? "" : ": " + last.getMessage()));
    }

    @Override
    public Optional<HostPort> primary(String name) {
        List<HostPort> sentinels = sentinelsOf(name);
        Map<HostPort, Integer> votes = new HashMap<>();
        for (HostPort s : sentinels) {
            try {
                client.masterAddress(s, name).ifPresent(a -> votes.merge(a, 1, Integer::sum));
            } catch (RedisException e) {
                // an unreachable Sentinel names nothing
            }
        }
        return votes.entrySet().stream().filter(e -> e.getValue() > sentinels.size() / 2).map(Map.Entry::getKey).findFirst();
    }

    @Override
    public DataNodeStatus status(HostPort node) {
        Map<String, String> info = client.info(node);
        boolean master = "master".equals(info.get("role"));
        Optional<HostPort> following = master || !info.containsKey("master_host") ? Optional.empty()
                : Optional.of(new HostPort(info.get("master_host"), Integer.parseInt(info.get("master_port"))));
        long offset = Long.parseLong(info.getOrDefault(master ? "master_repl_offset" : "slave_repl_offset", "0"));
        return new DataNodeStatus(master, master || "up".equals(info.get("master_link_status")),
                "1".equals(info.get("master_sync_in_progress")), "1".equals(info.get("loading")), offset, following,
                info.get("run_id"));
    }

    @Override
    public void pauseWrites(HostPort node, long millis) {
        client.pauseWrites(node, millis);
    }

    @Override
    public void unpause(HostPort node) {
        client.unpause(node);
    }

    @Override
    public void follow(HostPort node, HostPort primary) {
        client.follow(node, primary);
    }
}
