package io.cahoots.agent.testing;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.ViewDigest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Redis Cluster of any size simulated by ONE process for reads only: each node is a loopback port (bound to an
 * ephemeral port, never 6379) answering, in RESP2, the read commands the agent sends ({@code CLUSTER NODES},
 * {@code CLUSTER INFO}, {@code CLUSTER SHARDS}, {@code CLUSTER MYID}, {@code CLUSTER COUNTKEYSINSLOT}, the
 * agent's view-digest script by {@code EVALSHA}/{@code EVAL}, {@code INFO}, {@code PING}, {@code CLIENT},
 * {@code AUTH}, {@code ROLE}, {@code CONFIG GET}, {@code DBSIZE}, {@code SCAN}); anything else is an error.
 * It exists because a thousand real redis-server processes do not fit on a 2-core machine; it is not a mock of
 * Redis behaviour (writes, migrations, gossip): behaviour is always tested on real processes.
 *
 * <ol>
 *   <li>The model is a list of nodes (id, port, role, master, slots, config epoch, open slots, flags) under one
 *       lock; the test mutates it ({@link #failover}, {@link #openSlot}, {@link #stopAnswering}, {@link #suspect},
 *       {@link #markFailed}) and every reply after the mutation reflects it, consistently across nodes.</li>
 *   <li>Replies are generated from the model: every node's {@code CLUSTER NODES} is the same lines with its own
 *       marked {@code myself} and carrying its open-slot markers, so its view digest is the common one unless
 *       the test made it suspect another node.</li>
 *   <li>One selector thread serves every port (NIO, non-blocking writes queued per connection). A node that
 *       stops answering still accepts and reads, but never replies, as a {@code SIGSTOP}ped process.</li>
 * </ol>
 */
public final class SimulatedCluster implements AutoCloseable {

    public static final int KEYS_PER_SLOT = 5;

    private final List<Node> nodes = new ArrayList<>();
    private final Map<Integer, Node> byPort = new HashMap<>();
    private final Map<String, Node> byId = new HashMap<>();
    private final Selector selector;
    private final Thread loop;
    private volatile boolean closed;
    private long currentEpoch;
    private long generation;
    private long builtGeneration = -1;
    private String[] baseLines;
    private String commonDigest;
    private final Map<Node, String> suspectDigests = new HashMap<>();

    private static final class Node {
        final String id;
        final int index;
        final int port;
        boolean master;
        String masterId;
        List<int[]> slots = new ArrayList<>();
        long configEpoch;
        final Map<Integer, String> migrating = new TreeMap<>();
        final Map<Integer, String> importing = new TreeMap<>();
        final Set<String> suspects = new HashSet<>();
        boolean failed;
        volatile boolean silent;
        final ServerSocketChannel server;

        Node(String id, int index, ServerSocketChannel server) {
            this.id = id;
            this.index = index;
            this.server = server;
            this.port = server.socket().getLocalPort();
        }
    }

    private static final class Conn {
        final Node node;
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();

        Conn(Node node) {
            this.node = node;
        }
    }

    /** {@code masters} masters, each with {@code replicasPerMaster} replicas, the slots split evenly. */
    public static SimulatedCluster start(int masters, int replicasPerMaster) {
        try {
            return new SimulatedCluster(masters, replicasPerMaster);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SimulatedCluster(int masters, int replicasPerMaster) throws IOException {
        selector = Selector.open();
        int index = 0;
        List<Node> ms = new ArrayList<>();
        for (int m = 0; m < masters; m++) {
            Node n = open(index++);
            n.master = true;
            n.configEpoch = m + 1;
            n.slots.add(new int[]{(int) ((long) m * 16384 / masters), (int) ((long) (m + 1) * 16384 / masters) - 1});
            ms.add(n);
        }
        currentEpoch = masters;
        for (Node m : ms) {
            for (int r = 0; r < replicasPerMaster; r++) {
                Node n = open(index++);
                n.masterId = m.id;
                n.configEpoch = m.configEpoch;
            }
        }
        loop = new Thread(this::serve, "simulated-cluster");
        loop.setDaemon(true);
        loop.start();
    }

    private Node open(int index) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.configureBlocking(false);
        Node n = new Node(String.format("%040x", (long) index * 2654435761L + 0x5eedL), index, server);
        server.register(selector, SelectionKey.OP_ACCEPT, n);
        nodes.add(n);
        byPort.put(n.port, n);
        byId.put(n.id, n);
        return n;
    }

    // ---- what the test sees and changes ----

    public synchronized List<HostPort> addresses() {
        return nodes.stream().map(n -> address(n)).toList();
    }

    public synchronized List<HostPort> masters() {
        return nodes.stream().filter(n -> n.master).map(n -> address(n)).toList();
    }

    public synchronized String id(HostPort a) {
        return node(a).id;
    }

    /** A manual failover: the master's first replica takes its slots with a new epoch; the rest follow it. */
    public synchronized HostPort failover(HostPort master) {
        Node m = node(master);
        Node r = nodes.stream().filter(n -> m.id.equals(n.masterId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(master + " has no replica"));
        r.master = true;
        r.masterId = null;
        r.slots = m.slots;
        r.configEpoch = ++currentEpoch;
        m.master = false;
        m.slots = new ArrayList<>();
        for (Node n : nodes) {
            if (m.id.equals(n.masterId) && n != r) {
                n.masterId = r.id;
            }
        }
        m.masterId = r.id;
        generation++;
        return address(r);
    }

    /** {@code slot} migrating on its owner to {@code target}, importing on {@code target}, as redis-cli leaves it. */
    public synchronized void openSlot(int slot, HostPort target) {
        Node t = node(target);
        Node owner = owner(slot);
        owner.migrating.put(slot, t.id);
        t.importing.put(slot, owner.id);
        generation++;
    }

    public synchronized void closeSlot(int slot) {
        nodes.forEach(n -> {
            n.migrating.remove(slot);
            n.importing.remove(slot);
        });
        generation++;
    }

    /** The node keeps accepting and reading, never replies: a {@code SIGSTOP}ped process. */
    public void stopAnswering(HostPort a, boolean silent) {
        node(a).silent = silent;
    }

    /** {@code observer}'s view flags {@code suspected} {@code fail?}: that node's view alone differs. */
    public synchronized void suspect(HostPort observer, HostPort suspected, boolean on) {
        Node o = node(observer);
        if (on) {
            o.suspects.add(node(suspected).id);
        } else {
            o.suspects.remove(node(suspected).id);
        }
        generation++;
    }

    /** Every node's view flags {@code a} {@code fail}, as once the cluster agreed on its failure. */
    public synchronized void markFailed(HostPort a, boolean failed) {
        node(a).failed = failed;
        generation++;
    }

    private Node node(HostPort a) {
        Node n = byPort.get(a.port());
        if (n == null) {
            throw new IllegalArgumentException("no simulated node at " + a);
        }
        return n;
    }

    private Node owner(int slot) {
        for (Node n : nodes) {
            if (n.master && n.slots.stream().anyMatch(r -> r[0] <= slot && slot <= r[1])) {
                return n;
            }
        }
        throw new IllegalArgumentException("slot " + slot + " has no owner");
    }

    private static HostPort address(Node n) {
        return new HostPort("127.0.0.1", n.port);
    }

    // ---- replies ----

    private void build() {
        if (builtGeneration == generation) {
            return;
        }
        baseLines = new String[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            baseLines[i] = line(nodes.get(i), null);
        }
        commonDigest = ViewDigest.of(String.join("\n", baseLines));
        suspectDigests.clear();
        builtGeneration = generation;
    }

    private String line(Node n, Node observer) {
        StringBuilder sb = new StringBuilder(160);
        int bus = n.port + 10000 <= 65535 ? n.port + 10000 : n.port - 10000;
        sb.append(n.id).append(" 127.0.0.1:").append(n.port).append('@').append(bus).append(' ');
        if (observer == n) {
            sb.append("myself,");
        }
        sb.append(n.master ? "master" : "slave");
        if (n.failed) {
            sb.append(",fail");
        } else if (observer != null && observer.suspects.contains(n.id)) {
            sb.append(",fail?");
        }
        sb.append(' ').append(n.masterId == null ? "-" : n.masterId).append(" 0 1764450000000 ").append(n.configEpoch)
                .append(" connected");
        for (int[] r : n.slots) {
            sb.append(' ').append(r[0] == r[1] ? Integer.toString(r[0]) : r[0] + "-" + r[1]);
        }
        if (observer == n) {
            n.migrating.forEach((s, peer) -> sb.append(" [").append(s).append("->-").append(peer).append(']'));
            n.importing.forEach((s, peer) -> sb.append(" [").append(s).append("-<-").append(peer).append(']'));
        }
        return sb.toString();
    }

    private String clusterNodes(Node me) {
        build();
        StringBuilder sb = new StringBuilder(baseLines.length * 170);
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            sb.append(n == me || !me.suspects.isEmpty() ? line(n, me) : baseLines[i]).append('\n');
        }
        return sb.toString();
    }

    private String digest(Node me) {
        build();
        if (me.suspects.isEmpty()) {
            return commonDigest;
        }
        return suspectDigests.computeIfAbsent(me, n -> ViewDigest.of(clusterNodes(n)));
    }

    private String clusterInfo(Node me) {
        boolean ok = nodes.stream().noneMatch(n -> n.master && n.failed && !n.slots.isEmpty());
        long masters = nodes.stream().filter(n -> n.master && !n.slots.isEmpty()).count();
        return "cluster_enabled:1\r\ncluster_state:" + (ok ? "ok" : "fail") + "\r\ncluster_slots_assigned:16384\r\n"
                + "cluster_slots_ok:16384\r\ncluster_slots_pfail:0\r\ncluster_slots_fail:0\r\ncluster_known_nodes:"
                + nodes.size() + "\r\ncluster_size:" + masters + "\r\ncluster_current_epoch:" + currentEpoch
                + "\r\ncluster_my_epoch:" + me.configEpoch + "\r\ncluster_stats_messages_sent:0\r\n";
    }

    private String info(Node me) {
        int i = me.index;
        Node holder = me.master ? me : byId.get(me.masterId);
        long keys = holder.slots.stream().mapToLong(r -> r[1] - r[0] + 1).sum() * KEYS_PER_SLOT;
        StringBuilder sb = new StringBuilder(2048);
        sb.append("# Server\r\nredis_version:7.0.15\r\nredis_mode:cluster\r\nprocess_id:").append(1000 + i)
                .append("\r\ntcp_port:").append(me.port).append("\r\nuptime_in_seconds:86400\r\n\r\n")
                .append("# Clients\r\nconnected_clients:").append(10 + i % 50).append("\r\n\r\n")
                .append("# Memory\r\nused_memory:").append(2_000_000 + keys * 180).append("\r\nmaxmemory:2147483648\r\n")
                .append("maxmemory_policy:allkeys-lru\r\n\r\n# Persistence\r\nloading:0\r\n\r\n")
                .append("# Stats\r\ninstantaneous_ops_per_sec:").append(100 + i % 400)
                .append("\r\nkeyspace_hits:").append(1000L * i).append("\r\nkeyspace_misses:").append(10L * i).append("\r\n\r\n")
                .append("# Replication\r\nrole:").append(me.master ? "master" : "slave").append("\r\n");
        if (!me.master) {
            sb.append("master_host:127.0.0.1\r\nmaster_link_status:up\r\nslave_repl_offset:1000000\r\n");
        }
        sb.append("master_repl_offset:1000000\r\n\r\n# CPU\r\nused_cpu_sys:1.0\r\n\r\n# Commandstats\r\n");
        for (String c : new String[]{"get", "set", "del", "info", "cluster|nodes", "cluster|info", "ping", "evalsha"}) {
            sb.append("cmdstat_").append(c).append(":calls=").append(1000 + i).append(",usec=").append(5000 + i)
                    .append(",usec_per_call=5.00,rejected_calls=0,failed_calls=0\r\n");
        }
        sb.append("\r\n# Latencystats\r\n");
        for (String c : new String[]{"get", "set", "info"}) {
            sb.append("latency_percentiles_usec_").append(c).append(":p50=1.003,p99=10.047,p99.9=20.095\r\n");
        }
        sb.append("\r\n# Keyspace\r\n");
        if (keys > 0) {
            sb.append("db0:keys=").append(keys).append(",expires=0,avg_ttl=0\r\n");
        }
        return sb.toString();
    }

    private void shards(StringBuilder out) {
        List<Node> masters = nodes.stream().filter(n -> n.master).toList();
        out.append('*').append(masters.size()).append("\r\n");
        for (Node m : masters) {
            List<Node> members = new ArrayList<>(List.of(m));
            nodes.stream().filter(n -> m.id.equals(n.masterId)).forEach(members::add);
            out.append("*4\r\n");
            bulk(out, "slots");
            out.append('*').append(m.slots.size() * 2).append("\r\n");
            m.slots.forEach(r -> out.append(':').append(r[0]).append("\r\n:").append(r[1]).append("\r\n"));
            bulk(out, "nodes");
            out.append('*').append(members.size()).append("\r\n");
            for (Node n : members) {
                out.append("*14\r\n");
                bulk(out, "id");
                bulk(out, n.id);
                bulk(out, "port");
                out.append(':').append(n.port).append("\r\n");
                bulk(out, "ip");
                bulk(out, "127.0.0.1");
                bulk(out, "endpoint");
                bulk(out, "127.0.0.1");
                bulk(out, "role");
                bulk(out, n.master ? "master" : "replica");
                bulk(out, "replication-offset");
                out.append(":1000000\r\n");
                bulk(out, "health");
                bulk(out, n.failed ? "fail" : "online");
            }
        }
    }

    /** The reply to one command, in RESP2. */
    private synchronized String reply(Node me, List<String> args) {
        String cmd = args.get(0).toUpperCase(Locale.ROOT);
        String sub = args.size() > 1 ? args.get(1).toUpperCase(Locale.ROOT) : "";
        StringBuilder out = new StringBuilder();
        switch (cmd) {
            case "PING" -> out.append("+PONG\r\n");
            case "CLIENT", "AUTH", "SELECT", "READONLY", "READWRITE" -> out.append("+OK\r\n");
            case "ECHO" -> bulk(out, args.get(1));
            case "DBSIZE" -> out.append(':').append(me.slots.stream().mapToLong(r -> r[1] - r[0] + 1).sum() * KEYS_PER_SLOT).append("\r\n");
            case "INFO" -> bulk(out, info(me));
            case "ROLE" -> {
                if (me.master) {
                    out.append("*3\r\n");
                    bulk(out, "master");
                    out.append(":1000000\r\n*0\r\n");
                } else {
                    out.append("*5\r\n");
                    bulk(out, "slave");
                    bulk(out, "127.0.0.1");
                    Node m = byId.get(me.masterId);
                    out.append(':').append(m.port).append("\r\n");
                    bulk(out, "connected");
                    out.append(":1000000\r\n");
                }
            }
            case "CONFIG" -> {
                if (!sub.equals("GET") || args.size() < 3) {
                    out.append("-ERR the simulated cluster only answers CONFIG GET\r\n");
                } else {
                    String p = args.get(2).toLowerCase(Locale.ROOT);
                    String v = switch (p) {
                        case "maxmemory" -> "2147483648";
                        case "maxmemory-policy" -> "allkeys-lru";
                        case "cluster-node-timeout" -> "15000";
                        case "proto-max-bulk-len" -> "536870912";
                        default -> null;
                    };
                    if (v == null) {
                        out.append("*0\r\n");
                    } else {
                        out.append("*2\r\n");
                        bulk(out, p);
                        bulk(out, v);
                    }
                }
            }
            case "SCAN" -> {
                out.append("*2\r\n");
                bulk(out, "0");
                out.append("*0\r\n");
            }
            case "EVALSHA", "EVAL" -> {
                build();
                out.append("*3\r\n");
                bulk(out, line(me, me));
                bulk(out, digest(me));
                out.append(':').append(nodes.size()).append("\r\n");
            }
            case "CLUSTER" -> {
                switch (sub) {
                    case "NODES" -> bulk(out, clusterNodes(me));
                    case "INFO" -> bulk(out, clusterInfo(me));
                    case "MYID" -> bulk(out, me.id);
                    case "SHARDS" -> shards(out);
                    case "COUNTKEYSINSLOT" -> out.append(':').append(KEYS_PER_SLOT).append("\r\n");
                    default -> out.append("-ERR the simulated cluster does not answer CLUSTER ").append(sub).append("\r\n");
                }
            }
            default -> out.append("-ERR unknown command '").append(args.get(0)).append("' (simulated cluster: reads only)\r\n");
        }
        return out.toString();
    }

    private static void bulk(StringBuilder out, String s) {
        out.append('$').append(s.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(s).append("\r\n");
    }

    // ---- the network ----

    private void serve() {
        while (!closed) {
            try {
                selector.select(200);
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            SocketChannel c = ((ServerSocketChannel) key.channel()).accept();
                            if (c != null) {
                                c.configureBlocking(false);
                                c.register(selector, SelectionKey.OP_READ, new Conn((Node) key.attachment()));
                            }
                        } else {
                            if (key.isReadable()) {
                                read(key);
                            }
                            if (key.isValid() && key.isWritable()) {
                                flush(key);
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        if (!(e instanceof IOException)) {
                            System.err.println("simulated cluster: " + e);
                            e.printStackTrace();
                        }
                        key.cancel();
                        try {
                            key.channel().close();
                        } catch (IOException ignored) {
                            // already gone
                        }
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException e) {
                if (!closed) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private void read(SelectionKey key) throws IOException {
        Conn conn = (Conn) key.attachment();
        SocketChannel ch = (SocketChannel) key.channel();
        if (ch.read(conn.in) < 0) {
            key.cancel();
            ch.close();
            return;
        }
        conn.in.flip();
        List<String> args;
        while ((args = parse(conn.in)) != null) {
            if (!conn.node.silent) {
                conn.out.add(ByteBuffer.wrap(reply(conn.node, args).getBytes(StandardCharsets.UTF_8)));
            }
        }
        conn.in.compact();
        flush(key);
    }

    private static void flush(SelectionKey key) throws IOException {
        Conn conn = (Conn) key.attachment();
        SocketChannel ch = (SocketChannel) key.channel();
        while (!conn.out.isEmpty()) {
            ByteBuffer b = conn.out.peek();
            ch.write(b);
            if (b.hasRemaining()) {
                break;
            }
            conn.out.poll();
        }
        key.interestOps(conn.out.isEmpty() ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }

    /** One command from {@code in} (an array of bulk strings, or an inline line), or null when incomplete. */
    private static List<String> parse(ByteBuffer in) {
        int start = in.position();
        if (!in.hasRemaining()) {
            return null;
        }
        if (in.get(start) != '*') {
            String line = readLine(in);
            if (line == null) {
                in.position(start);
                return null;
            }
            return line.isBlank() ? List.of("PING") : List.of(line.trim().split("\\s+"));
        }
        in.get();
        String count = readLine(in);
        if (count == null) {
            in.position(start);
            return null;
        }
        int n = Integer.parseInt(count);
        List<String> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (!in.hasRemaining()) {
                in.position(start);
                return null;
            }
            in.get(); // '$'
            String len = readLine(in);
            if (len == null) {
                in.position(start);
                return null;
            }
            int l = Integer.parseInt(len);
            if (in.remaining() < l + 2) {
                in.position(start);
                return null;
            }
            byte[] b = new byte[l];
            in.get(b);
            in.get();
            in.get();
            args.add(new String(b, StandardCharsets.UTF_8));
        }
        return args;
    }

    private static String readLine(ByteBuffer in) {
        int from = in.position();
        for (int i = from; i + 1 < in.limit(); i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
                byte[] b = new byte[i - from];
                in.get(b);
                in.get();
                in.get();
                return new String(b, StandardCharsets.US_ASCII);
            }
        }
        return null;
    }

    @Override
    public void close() {
        closed = true;
        try {
            selector.wakeup();
            loop.join(2000);
            for (SelectionKey k : selector.keys()) {
                k.channel().close();
            }
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
