package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns one poll's readings plus the watcher's beliefs into a {@link SentinelView}, and answers the two questions the
 * watcher asks of a poll. Pure: no clock, no I/O.
 *
 * <ol>
 *   <li>{@link #majorityAddress}: the address most Sentinels name for a master. Ties go to an address named by a
 *       Sentinel that is not in the middle of a failover, then to the higher config epoch (the newer configuration in
 *       Sentinel's own rules). The first rule matters: the failover leader's {@code SENTINEL MASTER} keeps the old
 *       address until its failover ends, but already with the new epoch, so on epochs alone a leader and a follower
 *       that already switched tie, and the leader would name the old master -- which may be back and answer
 *       {@code ROLE master} (a poll then spends its confirmation deadline on it).</li>
 *   <li>{@link #members}: the Sentinel group of a master, one address per Sentinel: a peer listed under a run id the
 *       agent already knows (a configured Sentinel reached through another address, e.g. a Service name) is not
 *       counted twice; configured Sentinels that did not answer count as members, since they may well be.</li>
 *   <li>{@link #assemble}: per believed master, flags, quorum and replicas come from a Sentinel that names the
 *       believed address (the highest epoch first); replicas are marked online from the master's {@code ROLE} when it
 *       was read, which is live, rather than from the Sentinels' INFO, which can be 10 s old.</li>
 * </ol>
 */
public final class SentinelViewAssembler {

    /** What the watcher believes about one master. */
    public record Belief(HostPort address, Instant since, Optional<SentinelView.Failover> lastFailover) {
    }

    private SentinelViewAssembler() {
    }

    public static Set<String> masterNames(List<SentinelReading> readings) {
        Set<String> names = new TreeSet<>();
        readings.forEach(r -> names.addAll(r.masters().keySet()));
        return names;
    }

    public static Optional<HostPort> majorityAddress(List<SentinelReading> readings, String name) {
        Map<HostPort, long[]> votes = new LinkedHashMap<>(); // address -> {count, count not mid-failover, max epoch}
        for (SentinelReading r : readings) {
            SentinelReading.MasterReading m = r.masters().get(name);
            if (m != null) {
                long[] v = votes.computeIfAbsent(m.master().address(), a -> new long[3]);
                v[0]++;
                if (!m.master().failoverInProgress()) {
                    v[1]++;
                }
                v[2] = Math.max(v[2], m.master().configEpoch());
            }
        }
        return votes.entrySet().stream()
                .max(Comparator.<Map.Entry<HostPort, long[]>>comparingLong(e -> e.getValue()[0])
                        .thenComparingLong(e -> e.getValue()[1])
                        .thenComparingLong(e -> e.getValue()[2]))
                .map(Map.Entry::getKey);
    }

    /**
     * @param runIds run ids learned so far for addresses the agent polls (kept across polls, so a configured Sentinel
     *               that is down now is still recognised when a peer lists it under another address)
     */
    public static List<HostPort> members(List<SentinelReading> readings, String name, Map<HostPort, String> runIds) {
        Map<String, HostPort> byId = new LinkedHashMap<>();
        List<HostPort> out = new ArrayList<>();
        for (SentinelReading r : readings) {
            if (r.reachable() && !r.masters().containsKey(name)) {
                continue; // answers, and does not monitor this master
            }
            Optional<String> id = r.runId().or(() -> Optional.ofNullable(runIds.get(r.sentinel())));
            if (id.isPresent() && byId.containsKey(id.get())) {
                continue;
            }
            id.ifPresent(i -> byId.put(i, r.sentinel()));
            out.add(r.sentinel());
        }
        for (SentinelReading r : readings) {
            SentinelReading.MasterReading m = r.masters().get(name);
            if (m == null) {
                continue;
            }
            for (SentinelReplies.Peer p : m.peers()) {
                boolean known = (!p.runId().isEmpty() && byId.containsKey(p.runId())) || out.contains(p.address());
                if (!known) {
                    if (!p.runId().isEmpty()) {
                        byId.put(p.runId(), p.address());
                    }
                    out.add(p.address());
                }
            }
        }
        return out;
    }

    public static SentinelView assemble(Instant at, List<SentinelReading> readings, Map<String, Belief> beliefs,
                                        Map<String, RoleReply> roles, Set<HostPort> configured, Set<HostPort> subscribed,
                                        Map<HostPort, String> runIds) {
        List<SentinelView.SentinelStatus> statuses = new ArrayList<>();
        for (SentinelReading r : readings) {
            statuses.add(new SentinelView.SentinelStatus(r.sentinel(), r.runId().or(() -> Optional.ofNullable(runIds.get(r.sentinel()))),
                    configured.contains(r.sentinel()), r.reachable(), subscribed.contains(r.sentinel()), r.error()));
        }
        statuses.sort(Comparator.comparing(SentinelView.SentinelStatus::address));
        Map<String, SentinelView.MasterState> masters = new TreeMap<>();
        beliefs.forEach((name, belief) -> masters.put(name, master(name, belief, readings, roles.get(name), runIds)));
        return new SentinelView(at, statuses, masters);
    }

    private static SentinelView.MasterState master(String name, Belief belief, List<SentinelReading> readings,
                                                   RoleReply role, Map<HostPort, String> runIds) {
        List<SentinelReading.MasterReading> agreeing = new ArrayList<>();
        List<SentinelReading.MasterReading> all = new ArrayList<>();
        int quorumOk = 0;
        int quorumAnswers = 0;
        String quorumDetail = "no Sentinel answered";
        for (SentinelReading r : readings) {
            SentinelReading.MasterReading m = r.masters().get(name);
            if (m == null) {
                continue;
            }
            all.add(m);
            if (m.master().address().equals(belief.address())) {
                agreeing.add(m);
            }
            quorumAnswers++;
            if (m.quorum().ok()) {
                quorumOk++;
            }
            if (quorumAnswers == 1 || !m.quorum().ok()) {
                quorumDetail = m.quorum().text();
            }
        }
        Comparator<SentinelReading.MasterReading> newest = Comparator.comparingLong(m -> -m.master().configEpoch());
        Optional<SentinelReading.MasterReading> best = agreeing.stream().min(newest).or(() -> all.stream().min(newest));
        return new SentinelView.MasterState(name, belief.address(), belief.since(),
                best.map(m -> m.master().flags()).orElse("unknown"),
                best.map(m -> m.master().configEpoch()).orElse(0L),
                best.map(m -> m.master().quorum()).orElse(0),
                quorumAnswers > 0 && quorumOk * 2 > quorumAnswers, quorumDetail,
                replicas(belief.address(), best, role), peers(name, readings, runIds), belief.lastFailover());
    }

    private static List<SentinelView.ReplicaState> replicas(HostPort master, Optional<SentinelReading.MasterReading> reading,
                                                            RoleReply role) {
        Map<HostPort, SentinelView.ReplicaState> out = new TreeMap<>();
        boolean live = role != null && role.isMaster();
        for (SentinelReplies.Replica r : reading.map(SentinelReading.MasterReading::replicas).orElse(List.of())) {
            if (r.address().equals(master)) {
                continue; // just promoted: the Sentinels' list is older than the switch
            }
            boolean online = live ? role.replicas().stream().anyMatch(o -> o.address().equals(r.address()))
                    : !r.down() && "ok".equals(r.linkStatus());
            out.put(r.address(), new SentinelView.ReplicaState(r.address(), r.flags(), r.linkStatus(), online, lag(role, r.address())));
        }
        if (live) {
            for (RoleReply.ReplicaOffset o : role.replicas()) {
                out.computeIfAbsent(o.address(), a -> new SentinelView.ReplicaState(a, "", "", true, lag(role, a)));
            }
        }
        return List.copyOf(out.values());
    }

    private static OptionalLong lag(RoleReply role, HostPort replica) {
        if (role == null || !role.isMaster()) {
            return OptionalLong.empty();
        }
        return role.replicas().stream().filter(o -> o.address().equals(replica))
                .mapToLong(role::lagOf).findFirst();
    }

    private static List<SentinelView.PeerState> peers(String name, List<SentinelReading> readings, Map<HostPort, String> runIds) {
        List<SentinelView.PeerState> out = new ArrayList<>();
        for (HostPort member : members(readings, name, runIds)) {
            Optional<SentinelReading> own = readings.stream().filter(r -> r.sentinel().equals(member)).findFirst();
            Optional<String> id = own.flatMap(SentinelReading::runId).or(() -> Optional.ofNullable(runIds.get(member)));
            if (id.isEmpty()) {
                id = readings.stream().flatMap(r -> Optional.ofNullable(r.masters().get(name)).stream())
                        .flatMap(m -> m.peers().stream()).filter(p -> p.address().equals(member) && !p.runId().isEmpty())
                        .map(SentinelReplies.Peer::runId).findFirst();
            }
            Optional<HostPort> names = own.flatMap(r -> Optional.ofNullable(r.masters().get(name)))
                    .map(m -> m.master().address());
            out.add(new SentinelView.PeerState(member, id, own.map(SentinelReading::reachable).orElse(false), names));
        }
        out.sort(Comparator.comparing(SentinelView.PeerState::address));
        return out;
    }
}
