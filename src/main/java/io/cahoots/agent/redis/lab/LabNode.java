package io.cahoots.agent.redis.lab;

import io.cahoots.agent.cluster.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One redis-server process of a lab (data node or Sentinel), in its own directory with its own config and log.
 *
 * <p>Starting works like this:
 * <ol>
 *   <li>Run {@code redis-server <conf> [--sentinel]} with the node dir as working dir (the janitor recognises
 *       stale processes by it) and stdout/stderr appended to {@code console.log} (config errors land there).</li>
 *   <li>Record the pid in {@code redis.pid} at once, so a crashed JVM's processes can be found later.</li>
 *   <li>Poll {@code INFO server} until it answers with our pid: an answer from another pid means someone else owns
 *       the port. "Address already in use" in the logs or an early exit ends in {@link LabException.PortInUse} so
 *       the lab can retry on other ports.</li>
 * </ol>
 * Every kill/stop is remembered so that the lab can tell a deliberate stop from a crash.
 */
public final class LabNode {

    static final String LOG_FILE = "redis.log";
    static final String CONSOLE_FILE = "console.log";
    static final String PID_FILE = "redis.pid";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    /** Role the node was started in; a failover may later change what it actually is. */
    public enum Role {
        CLUSTER_MASTER, CLUSTER_REPLICA, SPARE, SENTINEL_PRIMARY, SENTINEL_REPLICA, SENTINEL;

        public boolean clusterEnabled() {
            return this == CLUSTER_MASTER || this == CLUSTER_REPLICA || this == SPARE;
        }
    }

    private final Role role;
    private volatile HostPort address;
    private final int busPort;
    private final Path dir;
    private final Path configFile;
    private final Path redisServer;
    private final String user;
    private final String password;
    private final Duration startTimeout;
    private final io.cahoots.agent.redis.RedisTls tls;
    private final NodeLauncher launcher;
    private volatile NodeLauncher.Running process;
    private volatile long lastPid = -1;
    private volatile boolean intentionallyDown;
    private volatile boolean paused;
    private volatile long logOffset;
    private volatile long consoleOffset;

    LabNode(Role role, HostPort address, int busPort, Path dir, Path configFile, LabSpec spec, LabTls labTls) {
        this.tls = labTls == null ? io.cahoots.agent.redis.RedisTls.off() : labTls.clientTls();
        this.role = role;
        this.address = address;
        this.busPort = busPort;
        this.dir = dir;
        this.configFile = configFile;
        this.redisServer = spec.redisServer();
        this.user = role == Role.SENTINEL ? null : spec.user();
        this.password = role == Role.SENTINEL ? spec.sentinelPassword() : spec.password();
        this.startTimeout = spec.nodeStartTimeout();
        this.launcher = spec.launcher();
    }

    public Role role() { return role; }
    public HostPort address() { return address; }
    /** Cluster bus port, or 0 for nodes that are not cluster-enabled. */
    public int clusterBusPort() { return busPort; }
    public Path dir() { return dir; }
    public Path logFile() { return dir.resolve(LOG_FILE); }
    public Path configFile() { return configFile; }
    /** Pid of the current (or last) process. */
    public long pid() { return lastPid; }
    public boolean isAlive() { NodeLauncher.Running p = process; return p != null && p.isAlive(); }
    public boolean isPaused() { return paused && isAlive(); }

    /** A new connection with this node's credentials; the caller closes it. */
    public Jedis connect() {
        return connect(2000);
    }

    public Jedis connect(int timeoutMillis) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder();
        if (tls.enabled()) {
            b.ssl(true).sslSocketFactory(tls.socketFactory()).sslParameters(tls.parameters());
        }
        return new Jedis(new HostAndPort(address.host(), address.port()), b
                .user(user).password(password)
                .connectionTimeoutMillis(timeoutMillis).socketTimeoutMillis(timeoutMillis)
                // Redis 7.0 has no CLIENT SETINFO; don't send it.
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .build());
    }

    /** SIGKILL, waits until the process is gone. */
    public void kill() {
        intentionallyDown = true;
        NodeLauncher.Running p = process;
        if (p != null && p.isAlive()) {
            p.kill(Duration.ofSeconds(10));
        }
        paused = false;
    }

    /** SIGTERM (Redis shuts down without saving: there are no save points), waits; SIGKILL after 20 s. */
    public void stop() {
        intentionallyDown = true;
        NodeLauncher.Running p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        if (paused) {
            resume(); // a stopped process would never handle SIGTERM
        }
        p.terminate();
        if (!p.awaitExit(STOP_TIMEOUT)) {
            p.kill(Duration.ofSeconds(10));
        }
        paused = false;
    }

    /**
     * Freezes the node: it stays alive with its connections open but answers nothing, like a hung or partitioned
     * server. SIGSTOP for a process, {@code docker pause} (the cgroup freezer) for a container.
     */
    public void pause() {
        requireAlive("pause");
        paused = true;
        process.pause();
    }

    /** SIGCONT, or {@code docker unpause}. */
    public void resume() {
        requireAlive("resume");
        process.resume();
        paused = false;
    }

    /**
     * Starts the node again with the same port, dir and config (stops it first if it still runs). A cluster node
     * keeps its nodes.conf and rejoins; a Sentinel keeps its rewritten sentinel.conf.
     */
    public void restart() {
        if (isAlive()) {
            stop();
        }
        try {
            start();
        } catch (LabException.PortInUse e) {
            throw new LabException("restart of " + address + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Stops the node and starts it bound to {@code host} instead, keeping its port, dir, data and nodes.conf: a pod
     * that comes back with a new IP. Its peers still list it at the old address until something tells them.
     */
    void moveTo(String host) {
        if (isAlive()) {
            stop();
        }
        try {
            Files.writeString(configFile, NodeConfig.rebind(Files.readString(configFile), host));
        } catch (IOException e) {
            throw new LabException("cannot rewrite " + configFile + ": " + e.getMessage(), e);
        }
        address = new HostPort(host, address.port());
        try {
            start();
        } catch (LabException.PortInUse e) {
            throw new LabException("move of " + address + " failed: " + e.getMessage(), e);
        }
    }

    /** Launches the process and waits until it answers; see the class comment. */
    void start() {
        intentionallyDown = false;
        paused = false;
        // Only output of this run counts when looking for bind errors (the log is appended across restarts).
        logOffset = size(logFile());
        consoleOffset = size(dir.resolve(CONSOLE_FILE));
        NodeLauncher.Running p;
        try {
            p = launcher.launch(new NodeLauncher.Launch(role, address, busPort, redisServer, configFile, dir,
                    dir.getParent(), dir.resolve(CONSOLE_FILE)));
            process = p;
            lastPid = p.pid();
            Files.writeString(dir.resolve(PID_FILE), Long.toString(p.pid()));
        } catch (IOException e) {
            throw new LabException("cannot start " + role + " " + address + " (" + launcher + "): " + e.getMessage(), e);
        }
        awaitAnswer(p);
    }

    private void awaitAnswer(NodeLauncher.Running p) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                // Most likely a lost race for a port (the message may be in a log we cannot read yet): retry.
                throw new LabException.PortInUse(failure("exited with code "
                        + (p.exitCode().isPresent() ? p.exitCode().getAsInt() : "?")).getMessage());
            }
            if (logs().contains("Address already in use")) {
                p.kill(Duration.ofSeconds(5));
                throw failure("could not bind");
            }
            try (Jedis j = connect(500)) {
                String pidLine = "process_id:" + p.pid();
                String info = j.info("server");
                if (info.lines().anyMatch(l -> l.trim().equals(pidLine))) {
                    return;
                }
                last = "port " + address.port() + " is answered by another process";
            } catch (JedisException e) {
                last = e.getMessage();
            }
            Procs.sleep(20);
        }
        p.kill(Duration.ofSeconds(5));
        throw failure("did not answer within " + startTimeout.toMillis() + " ms (" + last + ")");
    }

    private LabException failure(String what) {
        String logs = logs();
        String msg = role + " " + address + (busPort > 0 ? "@" + busPort : "") + " " + what
                + "; dir " + dir + "\n" + logs;
        return logs.contains("Address already in use") ? new LabException.PortInUse(msg) : new LabException(msg);
    }

    private String logs() {
        return Procs.tail(dir.resolve(CONSOLE_FILE), consoleOffset, 10) + "\n" + Procs.tail(logFile(), logOffset, 15);
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** True when the process ended without kill()/stop() -- a crash the lab should keep logs for. */
    boolean diedUnexpectedly() {
        NodeLauncher.Running p = process;
        return p != null && !p.isAlive() && !intentionallyDown;
    }

    /** Used by close(): SIGKILL works on paused processes too. */
    void destroy() {
        intentionallyDown = true;
        NodeLauncher.Running p = process;
        if (p != null && p.isAlive()) {
            p.kill(Duration.ofSeconds(5));
        }
    }

    private void requireAlive(String op) {
        if (!isAlive()) {
            throw new IllegalStateException("cannot " + op + " " + address + ": not running");
        }
    }

    @Override
    public String toString() {
        return role + " " + address + " pid " + lastPid + (isAlive() ? paused ? " paused" : "" : " down");
    }
}
