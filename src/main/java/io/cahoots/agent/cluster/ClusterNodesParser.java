package io.cahoots.agent.cluster;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses the text of {@code CLUSTER NODES}.
 *
 * <p>Line format: {@code id ip:port@cport[,hostname[,aux=value...]] flags master ping pong epoch link slot...}.
 * Slot tokens are ranges ({@code 0-5460}), single slots, or open-slot markers
 * {@code [slot->-targetId]} (migrating) and {@code [slot-<-sourceId]} (importing), which a node prints
 * only on its own line. IPv6 addresses are printed without brackets, so the port is after the last colon.
 */
public final class ClusterNodesParser {

    private ClusterNodesParser() {
    }

    public static List<NodeEntry> parse(String text) {
        List<NodeEntry> out = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.trim();
            if (!line.isEmpty()) {
                out.add(parseLine(line));
            }
        }
        return out;
    }

    public static NodeEntry parseLine(String line) {
        String[] f = line.split(" ");
        if (f.length < 8) {
            throw new IllegalArgumentException("CLUSTER NODES line has " + f.length + " fields, expected at least 8: " + line);
        }
        String id = f[0];
        Endpoint endpoint = parseEndpoint(f[1]);
        Set<NodeFlag> flags = EnumSet.noneOf(NodeFlag.class);
        for (String flag : f[2].split(",")) {
            NodeFlag.fromWire(flag).ifPresent(flags::add);
        }
        Optional<String> master = "-".equals(f[3]) ? Optional.empty() : Optional.of(f[3]);
        List<SlotRange> slots = new ArrayList<>();
        Map<Integer, String> migrating = new HashMap<>();
        Map<Integer, String> importing = new HashMap<>();
        for (int i = 8; i < f.length; i++) {
            String token = f[i];
            if (token.startsWith("[")) {
                parseOpenSlot(token, migrating, importing);
            } else if (!token.isEmpty()) {
                slots.add(SlotRange.parse(token));
            }
        }
        return new NodeEntry(id, endpoint.address, endpoint.busPort, endpoint.hostname, flags, master,
                parseLong(f[4], line), parseLong(f[5], line), parseLong(f[6], line), "connected".equals(f[7]),
                SlotRange.normalise(slots), migrating, importing);
    }

    private record Endpoint(Optional<HostPort> address, int busPort, Optional<String> hostname) {
    }

    private static Endpoint parseEndpoint(String token) {
        String[] parts = token.split(",", -1);
        Optional<String> hostname = parts.length > 1 && !parts[1].isEmpty() && !parts[1].contains("=")
                ? Optional.of(parts[1]) : Optional.empty();
        String hostPortBus = parts[0];
        int at = hostPortBus.indexOf('@');
        String hostPort = at >= 0 ? hostPortBus.substring(0, at) : hostPortBus;
        int busPort = at >= 0 ? Integer.parseInt(hostPortBus.substring(at + 1)) : 0;
        int colon = hostPort.lastIndexOf(':');
        String host = colon >= 0 ? hostPort.substring(0, colon) : "";
        int port = colon >= 0 ? Integer.parseInt(hostPort.substring(colon + 1)) : 0;
        Optional<HostPort> address = host.isEmpty() || port == 0 ? Optional.empty() : Optional.of(new HostPort(host, port));
        return new Endpoint(address, busPort, hostname);
    }

    private static void parseOpenSlot(String token, Map<Integer, String> migrating, Map<Integer, String> importing) {
        String body = token.substring(1, token.length() - 1);
        int out = body.indexOf("->-");
        int in = body.indexOf("-<-");
        if (out > 0) {
            migrating.put(Integer.parseInt(body.substring(0, out)), body.substring(out + 3));
        } else if (in > 0) {
            importing.put(Integer.parseInt(body.substring(0, in)), body.substring(in + 3));
        } else {
            throw new IllegalArgumentException("unknown open-slot marker " + token);
        }
    }

    private static long parseLong(String s, String line) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number '" + s + "' in CLUSTER NODES line: " + line);
        }
    }
}
