package io.cahoots.agent.redis.lab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Tiny parser for one node's {@code CLUSTER NODES} output: enough to compare views, not a general model. */
final class ClusterNodesView {

    static final int SLOTS = 16384;

    /** One line: {@code <id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>...}. */
    record Line(String id, String host, int port, Set<String> flags, String masterId, String linkState, List<int[]> slots) {

        boolean has(String flag) {
            return flags.contains(flag);
        }

        boolean isReplica() {
            return has("slave");
        }
    }

    private final List<Line> lines;

    private ClusterNodesView(List<Line> lines) {
        this.lines = lines;
    }

    static ClusterNodesView parse(String text) {
        List<Line> out = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String[] f = raw.trim().split(" ");
            if (f.length < 8) {
                continue;
            }
            String addr = f[1];
            int comma = addr.indexOf(',');
            if (comma >= 0) {
                addr = addr.substring(0, comma);
            }
            int at = addr.indexOf('@');
            if (at >= 0) {
                addr = addr.substring(0, at);
            }
            int colon = addr.lastIndexOf(':');
            String host = addr.substring(0, colon);
            int port = Integer.parseInt(addr.substring(colon + 1));
            List<int[]> slots = new ArrayList<>();
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) {
                    continue; // migrating/importing markers, not ownership
                }
                int dash = f[i].indexOf('-');
                int from = Integer.parseInt(dash < 0 ? f[i] : f[i].substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(f[i].substring(dash + 1));
                slots.add(new int[] {from, to});
            }
            out.add(new Line(f[0], host, port, Set.of(f[2].split(",")), f[3], f[7], List.copyOf(slots)));
        }
        return new ClusterNodesView(List.copyOf(out));
    }

    List<Line> lines() {
        return lines;
    }

    Line byPort(int port) {
        return lines.stream().filter(l -> l.port() == port).findFirst().orElse(null);
    }

    Line myself() {
        return lines.stream().filter(l -> l.has("myself")).findFirst().orElse(null);
    }

    /** slot -> owning master id (null = unassigned). */
    String[] slotOwners() {
        String[] owners = new String[SLOTS];
        for (Line l : lines) {
            for (int[] r : l.slots()) {
                Arrays.fill(owners, r[0], r[1] + 1, l.id());
            }
        }
        return owners;
    }

    /** "id -> master id" for every replica, sorted, to compare who replicates whom across views. */
    List<String> replication() {
        return lines.stream().filter(Line::isReplica).map(l -> l.id() + "->" + l.masterId()).sorted().toList();
    }
}
