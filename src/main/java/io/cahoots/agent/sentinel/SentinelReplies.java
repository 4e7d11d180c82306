package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;

import java.util.Map;
import java.util.Optional;

/**
 * The field maps of {@code SENTINEL MASTER(S)}, {@code SENTINEL REPLICAS} and {@code SENTINEL SENTINELS} as records.
 * Pure. Unknown or missing numeric fields read as 0 / -1 rather than failing a whole poll.
 */
public final class SentinelReplies {

    private SentinelReplies() {
    }

    /** @param flags e.g. {@code master}, {@code master,s_down,o_down} */
    public record Master(String name, HostPort address, String flags, int quorum, long configEpoch) {
        public boolean down() {
            return flags.contains("s_down") || flags.contains("o_down");
        }

        /** This Sentinel is failing the master over (or tried to): its address is the old one until the switch. */
        public boolean failoverInProgress() {
            return flags.contains("failover_in_progress");
        }
    }

    /** @param linkStatus the replica's {@code master_link_status} as the Sentinel last read it: {@code ok} or {@code err} */
    public record Replica(HostPort address, String flags, String linkStatus, long offset) {
        public boolean down() {
            return flags.contains("s_down") || flags.contains("o_down") || flags.contains("disconnected");
        }
    }

    public record Peer(HostPort address, String runId, String flags) {
    }

    /** @param ok whether {@code SENTINEL CKQUORUM} says the quorum and the failover majority can be reached */
    public record QuorumCheck(boolean ok, String text) {
    }

    public static Master master(Map<String, String> m) {
        return new Master(m.get("name"), address(m), m.getOrDefault("flags", ""), (int) number(m, "quorum", 0),
                number(m, "config-epoch", 0));
    }

    public static Replica replica(Map<String, String> m) {
        return new Replica(address(m), m.getOrDefault("flags", ""), m.getOrDefault("master-link-status", ""),
                number(m, "slave-repl-offset", -1));
    }

    public static Peer peer(Map<String, String> m) {
        return new Peer(address(m), m.getOrDefault("runid", ""), m.getOrDefault("flags", ""));
    }

    private static HostPort address(Map<String, String> m) {
        return new HostPort(m.get("ip"), Integer.parseInt(m.get("port")));
    }

    private static long number(Map<String, String> m, String key, long otherwise) {
        return Optional.ofNullable(m.get(key)).map(v -> {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return otherwise;
            }
        }).orElse(otherwise);
    }
}
