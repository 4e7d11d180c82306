package io.cahoots.agent.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Redis endpoint. Hosts may be names, IPv4 or IPv6 literals; IPv6 is written in brackets
 * ({@code [::1]:7000}) so that the last colon always separates the port.
 */
public record HostPort(String host, int port) implements Comparable<HostPort> {

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " outside 1-65535");
        }
    }

    /** Parses {@code host:port}, {@code [v6]:port} or a bare {@code v6:port} as Redis prints it. */
    public static HostPort parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing address");
        }
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not host:port");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no numeric port");
        }
        return new HostPort(host, port);
    }

    /** Parses a comma-separated list; blanks between commas are ignored. */
    public static List<HostPort> parseList(String text) {
        List<HostPort> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                out.add(parse(part));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public int compareTo(HostPort o) {
        int c = host.compareTo(o.host);
        return c != 0 ? c : Integer.compare(port, o.port);
    }
}
