package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed {@code ROLE} reply. Pure. A master answers {@code [master, <offset>, [[ip, port, offset], ...]]}, listing
 * only replicas whose link is online; a replica answers {@code [slave, <master-ip>, <master-port>, <state>, <offset>]};
 * a Sentinel answers {@code [sentinel, [names]]}.
 *
 * @param replicas for a master: its online replicas and the offset each acknowledged
 * @param masterOf for a replica: the master it follows
 */
public record RoleReply(String role, long offset, List<ReplicaOffset> replicas, Optional<HostPort> masterOf) {

    public record ReplicaOffset(HostPort address, long offset) {
    }

    public RoleReply {
        replicas = List.copyOf(replicas);
    }

    public boolean isMaster() {
        return role.equals("master");
    }

    /** Bytes the replica is behind: master offset minus its acknowledged offset (never negative). */
    public long lagOf(ReplicaOffset r) {
        return Math.max(0, offset - r.offset());
    }

    public static RoleReply parse(List<?> reply) {
        if (reply == null || reply.isEmpty()) {
            throw new IllegalArgumentException("empty ROLE reply");
        }
        String role = String.valueOf(reply.get(0));
        switch (role) {
            case "master" -> {
                List<ReplicaOffset> replicas = new ArrayList<>();
                if (reply.size() > 2 && reply.get(2) instanceof List<?> list) {
                    for (Object o : list) {
                        List<?> r = (List<?>) o;
                        replicas.add(new ReplicaOffset(new HostPort(String.valueOf(r.get(0)), number(r.get(1)).intValue()),
                                number(r.get(2))));
                    }
                }
                return new RoleReply(role, number(reply.get(1)), replicas, Optional.empty());
            }
            case "slave", "replica" -> {
                long offset = reply.size() > 4 ? number(reply.get(4)) : -1;
                return new RoleReply("replica", offset, List.of(),
                        Optional.of(new HostPort(String.valueOf(reply.get(1)), number(reply.get(2)).intValue())));
            }
            default -> {
                return new RoleReply(role, 0, List.of(), Optional.empty());
            }
        }
    }

    private static Long number(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(o));
    }

    @Override
    public String toString() {
        return masterOf.map(m -> role + " of " + m).orElse(role);
    }
}
