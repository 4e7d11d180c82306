package io.cahoots.agent.sentinel;

import io.cahoots.agent.cluster.HostPort;

import java.util.Optional;
import java.util.Set;

/**
 * One message a Sentinel published on its own pub/sub, parsed. Pure.
 *
 * <p>Formats (Sentinel docs, "Pub/Sub messages"): {@code +switch-master} carries
 * {@code <name> <old-ip> <old-port> <new-ip> <new-port>}; most others carry an instance description,
 * {@code <type> <name> <ip> <port> [@ <master-name> <master-ip> <master-port>]}, where the master's name is the
 * second word for a master and the word after {@code @} otherwise.
 *
 * @param master the master the message is about, when it names one
 * @param from   for {@link Type#SWITCH_MASTER}: the old address
 * @param to     for {@link Type#SWITCH_MASTER}: the announced new address (to be confirmed, never trusted)
 */
public record SentinelEvent(Type type, String channel, Optional<String> master, Optional<HostPort> from,
                            Optional<HostPort> to) {

    public enum Type {
        /** A claim that the master moved: confirm before believing. */
        SWITCH_MASTER,
        /** The Sentinel forgot what it knew about the master: read it again. */
        RESET_MASTER,
        /** A failover finished (the address in it is the old master's): read the master again. */
        FAILOVER_END,
        /** Something that changes replicas, Sentinels or health: worth an early poll. */
        HINT,
        /** Election chatter and the like: ignored. */
        OTHER
    }

    private static final Set<String> HINTS = Set.of("+sdown", "-sdown", "+odown", "-odown", "+slave", "+convert-to-slave",
            "+role-change", "-role-change", "+fix-slave-config", "+slave-reconf-done", "+sentinel", "-dup-sentinel",
            "+monitor", "-monitor", "-failover-abort-not-elected", "-failover-abort-no-good-slave",
            "-failover-abort-slave-timeout", "+promoted-slave");

    public static SentinelEvent parse(String channel, String payload) {
        String[] w = payload == null ? new String[0] : payload.trim().split("\\s+");
        return switch (channel) {
            case "+switch-master" -> w.length == 5
                    ? new SentinelEvent(Type.SWITCH_MASTER, channel, Optional.of(w[0]), address(w[1], w[2]), address(w[3], w[4]))
                    : other(channel);
            case "+reset-master" -> instance(Type.RESET_MASTER, channel, w);
            case "+failover-end", "+failover-end-for-timeout" -> instance(Type.FAILOVER_END, channel, w);
            default -> HINTS.contains(channel) ? instance(Type.HINT, channel, w) : other(channel);
        };
    }

    private static SentinelEvent instance(Type type, String channel, String[] w) {
        Optional<String> master = Optional.empty();
        for (int i = 0; i < w.length - 1; i++) {
            if (w[i].equals("@")) {
                master = Optional.of(w[i + 1]);
            }
        }
        if (master.isEmpty() && w.length >= 2 && w[0].equals("master")) {
            master = Optional.of(w[1]);
        }
        return new SentinelEvent(type, channel, master, Optional.empty(), Optional.empty());
    }

    private static SentinelEvent other(String channel) {
        return new SentinelEvent(Type.OTHER, channel, Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static Optional<HostPort> address(String host, String port) {
        try {
            return Optional.of(new HostPort(host, Integer.parseInt(port)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
