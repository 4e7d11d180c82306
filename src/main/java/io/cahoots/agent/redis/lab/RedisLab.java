package io.cahoots.agent.redis.lab;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.lifecycle.Background;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import redis.clients.jedis.Jedis;

/**
 * Real redis-server processes on 127.0.0.1 for tests and for trying the agent by hand: a Redis Cluster, spare nodes
 * and/or a Sentinel group, as described by a {@link LabSpec}.
 *
 * <p>{@link #start} works in these steps:
 * <ol>
 *   <li>Fail fast when redis-server is missing; let {@link LabJanitor} remove labs of dead JVMs.</li>
 *   <li>Create {@code <baseDir>/lab-<pid>-<n>-<time>/} with owner.pid and register the lab with the JVM shutdown hook
 *       (before any process exists, so Ctrl-C during start cleans up too).</li>
 *   <li>Start all data nodes in parallel, each on ports from {@link PortAllocator}, in {@code <labDir>/<port>/};
 *       a node that loses a port race is retried on new ports.</li>
 *   <li>In parallel: {@link ClusterBuilder} forms the cluster; {@link SentinelGroupBuilder} attaches the replicas,
 *       then the Sentinels start and the builder waits until they know everything.</li>
 *   <li>On any failure: kill everything, keep the dir, throw a LabException naming the reason and the dir.</li>
 * </ol>
 * {@link #close} kills every process, releases the ports and deletes the dir, unless {@link #keepLogs()} was called or
 * a node died on its own (then the dir is kept and printed on stderr).
 */
public final class RedisLab implements AutoCloseable {

    private static final Set<RedisLab> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK_REGISTERED = new AtomicBoolean();
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final int PORT_ATTEMPTS = 5;

    private final LabSpec spec;
    private final String id;
    private final Path dir;
    private volatile LabTls tls;
    private final PortAllocator ports;
    private final Map<Integer, PortAllocator.Lease> leases = new ConcurrentHashMap<>();
    private final Map<HostPort, LabNode> nodes = new ConcurrentHashMap<>();
    private final List<LabNode> masters = new CopyOnWriteArrayList<>();
    private final List<LabNode> replicas = new CopyOnWriteArrayList<>();
    private final List<LabNode> spares = new CopyOnWriteArrayList<>();
    private final List<LabNode> sentinelReplicas = new CopyOnWriteArrayList<>();
    private final List<LabNode> sentinels = new CopyOnWriteArrayList<>();
    private volatile LabNode sentinelPrimary;
    private volatile boolean keepLogs;
    private volatile boolean startFailed;
    private volatile boolean closed;
    private volatile Duration startDuration = Duration.ZERO;

    private RedisLab(LabSpec spec) {
        this.spec = spec;
        this.id = "lab-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet() + "-"
                + Long.toString(System.currentTimeMillis(), 36);
        this.dir = spec.baseDir().resolve(id);
        this.ports = new PortAllocator(spec.portLockDir(), spec.portRangeStart(), spec.portRangeEnd());
    }

    /** Starts the lab and blocks until it is ready; see the class comment. */
    public static RedisLab start(LabSpec spec) {
        if (spec.launcher() instanceof ProcessLauncher && !Files.isExecutable(spec.redisServer())) {
            throw new LabException("redis-server not found or not executable at " + spec.redisServer()
                    + " (install redis-server or set LabSpec.redisServer)");
        }
        try {
            Files.createDirectories(spec.baseDir());
        } catch (IOException e) {
            throw new LabException("cannot create lab base dir " + spec.baseDir() + ": " + e, e);
        }
        LabJanitor.sweep(spec.baseDir());
        RedisLab lab = new RedisLab(spec);
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(lab.dir);
            LabJanitor.writeOwner(lab.dir);
            if (spec.tls()) {
                lab.tls = LabTls.generate(lab.dir.resolve("tls"));
            }
            registerShutdownHook();
            OPEN.add(lab);
            lab.boot();
        } catch (Exception e) {
            lab.startFailed = true;
            lab.close();
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            throw new LabException("redis lab " + spec + " failed to start: " + cause.getMessage()
                    + "\nlogs kept in " + lab.dir, cause);
        }
        lab.startDuration = Duration.ofNanos(System.nanoTime() - t0);
        return lab;
    }

    private static void registerShutdownHook() {
        if (HOOK_REGISTERED.compareAndSet(false, true)) {
            Background.atExit("redis-lab-shutdown", () -> List.copyOf(OPEN).forEach(RedisLab::close));
        }
    }

    private void boot() throws Exception {
        int dataNodes = spec.masters() + spec.clusterReplicaCount() + spec.spareNodes()
                + (spec.sentinelGroup() ? 1 + spec.sentinelReplicas() : 0);
        int sentinelCount = spec.sentinelGroup() ? spec.sentinels() : 0;
        // Enough threads that the two builders plus the Sentinel launches they wait for can never starve.
        int threads = Math.max(Math.min(dataNodes, 8), 2 + sentinelCount);
        ExecutorService pool = Background.pool(id, threads);
        try {
            List<Future<LabNode>> m = submit(pool, spec.masters(), LabNode.Role.CLUSTER_MASTER);
            List<Future<LabNode>> r = submit(pool, spec.clusterReplicaCount(), LabNode.Role.CLUSTER_REPLICA);
            List<Future<LabNode>> s = submit(pool, spec.spareNodes(), LabNode.Role.SPARE);
            List<Future<LabNode>> p = submit(pool, spec.sentinelGroup() ? 1 : 0, LabNode.Role.SENTINEL_PRIMARY);
            List<Future<LabNode>> sr = submit(pool, spec.sentinelGroup() ? spec.sentinelReplicas() : 0,
                    LabNode.Role.SENTINEL_REPLICA);
            masters.addAll(join(m));
            replicas.addAll(join(r));
            spares.addAll(join(s));
            sentinelReplicas.addAll(join(sr));
            sentinelPrimary = p.isEmpty() ? null : join(p).get(0);

            CompletableFuture<Void> cluster = spec.masters() == 0 ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.runAsync(() -> new ClusterBuilder(masters, replicas, spec.readyTimeout()).build(), pool);
            CompletableFuture<Void> sentinel = !spec.sentinelGroup() ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.runAsync(() -> buildSentinelGroup(pool), pool);
            // The first failure ends the start; the other builder is interrupted by shutdownNow below.
            CompletableFuture<Void> firstFailureOrAll = new CompletableFuture<>();
            for (CompletableFuture<Void> f : List.of(cluster, sentinel)) {
                f.whenComplete((ok, e) -> {
                    if (e != null) {
                        firstFailureOrAll.completeExceptionally(e);
                    }
                });
            }
            CompletableFuture.allOf(cluster, sentinel).thenRun(() -> firstFailureOrAll.complete(null));
            firstFailureOrAll.join();
        } finally {
            pool.shutdownNow();
        }
    }

    private void buildSentinelGroup(ExecutorService pool) {
        SentinelGroupBuilder b = new SentinelGroupBuilder(spec, sentinelPrimary, sentinelReplicas);
        b.replicate();
        HostPort primary = sentinelPrimary.address();
        List<Future<LabNode>> f = new ArrayList<>();
        for (int i = 0; i < spec.sentinels(); i++) {
            f.add(pool.submit(() -> launch(LabNode.Role.SENTINEL, (port, d) -> NodeConfig.sentinel(spec, port, d, primary, tls))));
        }
        try {
            sentinels.addAll(join(f));
        } catch (Exception e) {
            throw e instanceof RuntimeException re ? re : new LabException(e.getMessage(), e);
        }
        b.awaitSentinels(sentinels);
    }

    private List<Future<LabNode>> submit(ExecutorService pool, int count, LabNode.Role role) {
        List<Future<LabNode>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Callable<LabNode> c = () -> launch(role, null);
            out.add(pool.submit(c));
        }
        return out;
    }

    private static List<LabNode> join(List<Future<LabNode>> futures) throws Exception {
        List<LabNode> out = new ArrayList<>();
        for (Future<LabNode> f : futures) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
        }
        return out;
    }

    /** Starts one node on fresh ports, retrying on new ports when redis-server loses a bind race. */
    private LabNode launch(LabNode.Role role, BiFunction<Integer, Path, String> sentinelConfig) throws IOException {
        LabException last = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            if (closed) {
                throw new LabException("lab " + id + " closed during start");
            }
            PortAllocator.Lease data = lease();
            PortAllocator.Lease bus = role.clusterEnabled() ? lease() : null;
            int busPort = bus == null ? 0 : bus.port();
            Path nodeDir = dir.resolve(Integer.toString(data.port()));
            Files.createDirectories(nodeDir);
            Path conf = nodeDir.resolve(role == LabNode.Role.SENTINEL ? "sentinel.conf" : "redis.conf");
            String host = host(role);
            Files.writeString(conf, role == LabNode.Role.SENTINEL
                    ? sentinelConfig.apply(data.port(), nodeDir)
                    : NodeConfig.data(spec, host, data.port(), busPort, nodeDir, tls));
            HostPort address = new HostPort(host, data.port());
            LabNode node = new LabNode(role, address, busPort, nodeDir, conf, spec, tls);
            nodes.put(address, node); // before start, so that close() can always kill it
            try {
                node.start();
            } catch (LabException.PortInUse e) {
                last = e;
                nodes.remove(address);
                node.destroy();
                release(data);
                release(bus);
                LabJanitor.deleteTree(nodeDir);
                continue;
            } catch (RuntimeException e) {
                node.destroy(); // e.g. interrupted while waiting: the process must not outlive the failed start
                throw e;
            }
            if (closed) {
                node.destroy();
                throw new LabException("lab " + id + " closed during start");
            }
            return node;
        }
        throw new LabException("no usable ports after " + PORT_ATTEMPTS + " attempts: " + last.getMessage(), last);
    }

    private String host(LabNode.Role role) {
        return spec.ownLoopbackAddresses() && role != LabNode.Role.SENTINEL ? nextLoopbackHost() : "127.0.0.1";
    }

    private static final AtomicInteger LOOPBACK = new AtomicInteger();

    /**
     * A loopback address no node of this JVM had yet (127.0.1.2, 127.0.1.3, ...; Linux answers on all of 127/8), for
     * nodes that bind their own address like pods, and for moving one to a new address.
     */
    public static String nextLoopbackHost() {
        int n = LOOPBACK.getAndIncrement() % (250 * 250);
        return "127.0." + (1 + n / 250) + "." + (2 + n % 250);
    }

    /**
     * Stops the node and starts it again bound to {@code host} (same port, dir, data and nodes.conf), as a pod that
     * comes back with a new IP; the lab then knows it by its new address.
     */
    public HostPort moveNode(HostPort from, String host) {
        LabNode node = node(from);
        node.moveTo(host);
        nodes.remove(from);
        nodes.put(node.address(), node);
        return node.address();
    }

    /** Stops the node and forgets it (its process, dir and ports stay the lab's until close): a pod deleted. */
    public void removeNode(HostPort address) {
        LabNode node = node(address);
        node.stop();
        masters.remove(node);
        replicas.remove(node);
        spares.remove(node);
    }

    private PortAllocator.Lease lease() {
        PortAllocator.Lease l = ports.acquire();
        leases.put(l.port(), l);
        return l;
    }

    private void release(PortAllocator.Lease l) {
        if (l != null) {
            leases.remove(l.port());
            l.close();
        }
    }

    public LabSpec spec() { return spec; }
    public String id() { return id; }
    public Path dir() { return dir; }
    /** The lab's CA and certificates when it runs with TLS. */
    public java.util.Optional<LabTls> tls() { return java.util.Optional.ofNullable(tls); }
    /** Wall time {@link #start} took. */
    public Duration startDuration() { return startDuration; }

    /** All cluster masters and replicas (not spares), masters first. Roles as started; failovers may change them. */
    public List<HostPort> clusterNodes() {
        List<HostPort> out = new ArrayList<>(addresses(masters));
        out.addAll(addresses(replicas));
        return out;
    }

    public List<HostPort> masters() { return addresses(masters); }
    public List<HostPort> replicas() { return addresses(replicas); }
    public List<HostPort> spareNodes() { return addresses(spares); }

    public HostPort sentinelPrimary() {
        if (sentinelPrimary == null) {
            throw new IllegalStateException("lab " + id + " has no sentinel group");
        }
        return sentinelPrimary.address();
    }

    public List<HostPort> sentinelReplicas() { return addresses(sentinelReplicas); }
    public List<HostPort> sentinels() { return addresses(sentinels); }
    public String sentinelMasterName() { return spec.sentinelMasterName(); }

    /** Every process of this lab, whatever its role. */
    public LabNode node(HostPort address) {
        LabNode n = nodes.get(address);
        if (n == null) {
            throw new IllegalArgumentException(address + " is not a node of lab " + id);
        }
        return n;
    }

    public List<LabNode> nodes() {
        return List.copyOf(nodes.values());
    }

    /** A connection to any lab node with the right credentials (data or Sentinel); the caller closes it. */
    public Jedis connect(HostPort address) {
        return node(address).connect();
    }

    /** Starts one more empty, cluster-enabled node that has met nobody. */
    public HostPort startSpareNode() {
        requireOpen();
        try {
            LabNode n = launch(LabNode.Role.SPARE, null);
            spares.add(n);
            return n.address();
        } catch (IOException e) {
            throw new LabException("cannot start spare node in " + dir + ": " + e, e);
        }
    }

    /**
     * Waits until the cluster nodes of {@link #clusterNodes()} are all running and agree again (state ok, same slot
     * map and replica assignment, replica links up) -- e.g. after restart() or a failover.
     */
    public void awaitClusterReady() {
        List<LabNode> cluster = new ArrayList<>(masters);
        cluster.addAll(replicas);
        Poll.until("cluster ready", spec.readyTimeout(), 50, () -> ClusterBuilder.problem(cluster, Map.of()));
    }

    /**
     * FLUSHALL on every running data node that currently is a master (so it still works after failovers), then WAIT
     * for its replicas so the next test does not read old keys from a replica.
     */
    public void flushAll() {
        requireOpen();
        for (LabNode n : nodes.values()) {
            if (n.role() == LabNode.Role.SENTINEL || !n.isAlive() || n.isPaused()) {
                continue;
            }
            try (Jedis j = n.connect()) {
                String info = j.info("replication");
                if (info.contains("role:master")) {
                    j.flushAll();
                    int connected = Integer.parseInt(ClusterBuilder.field(info, "connected_slaves").split(":")[1]);
                    if (connected > 0) {
                        j.waitReplicas(connected, 2000);
                    }
                }
            }
        }
    }

    /** Keep the lab directory (configs, logs, nodes.conf) after close. */
    public void keepLogs() {
        keepLogs = true;
    }

    /** Kills every process, releases the ports, deletes the dir unless logs are to be kept. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        OPEN.remove(this);
        List<LabNode> crashed = nodes.values().stream().filter(LabNode::diedUnexpectedly).toList();
        nodes.values().forEach(LabNode::destroy);
        List.copyOf(leases.values()).forEach(this::release);
        if (keepLogs || startFailed || !crashed.isEmpty()) {
            String why = startFailed ? "start failed" : crashed.isEmpty() ? "keepLogs()" : "died unexpectedly: " + crashed;
            try {
                Files.writeString(dir.resolve(LabJanitor.KEPT_FILE), why + "\n");
            } catch (IOException e) {
                // without the marker the next lab's janitor deletes the dir; the logs are still there until then
            }
            System.err.println("redis lab " + id + ": logs kept in " + dir + " (" + why + ")");
        } else {
            LabJanitor.deleteTree(dir);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("lab " + id + " is closed");
        }
    }

    private static List<HostPort> addresses(List<LabNode> list) {
        return list.stream().map(LabNode::address).toList();
    }

    @Override
    public String toString() {
        return "RedisLab " + id + " " + nodes.values();
    }
}
