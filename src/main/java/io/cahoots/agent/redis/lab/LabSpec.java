package io.cahoots.agent.redis.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link RedisLab} should run: an optional Redis Cluster (masters, replicas, spare nodes), an optional
 * Sentinel group (primary, replicas, Sentinels), credentials and the fast failure-detection timings a lab wants.
 * Immutable; build with {@link #builder()}.
 */
public final class LabSpec {

    /** Default lab root; labs live in {@code <baseDir>/lab-...}. */
    public static final Path DEFAULT_BASE_DIR = Path.of(System.getProperty("java.io.tmpdir"), "cahoots-lab");

    private final int masters;
    private final int replicasPerMaster;
    private final int spareNodes;
    private final boolean sentinelGroup;
    private final int sentinelReplicas;
    private final int sentinels;
    private final String sentinelMasterName;
    private final String password;
    private final String aclUser;
    private final String sentinelPassword;
    private final Path baseDir;
    private final Path portLockDir;
    private final int sentinelDownAfterMillis;
    private final int sentinelFailoverTimeoutMillis;
    private final int clusterNodeTimeoutMillis;
    private final Duration nodeStartTimeout;
    private final Duration readyTimeout;
    private final Path redisServer;
    private final int portRangeStart;
    private final int portRangeEnd;
    private final boolean tls;
    private final String aclRule;
    private final String extraUser;
    private final long maxmemoryBytes;
    private final NodeLauncher launcher;
    private final boolean ownLoopbackAddresses;

    private LabSpec(Builder b) {
        masters = b.masters;
        replicasPerMaster = b.replicasPerMaster;
        spareNodes = b.spareNodes;
        sentinelGroup = b.sentinelGroup;
        sentinelReplicas = b.sentinelReplicas;
        sentinels = b.sentinels;
        sentinelMasterName = b.sentinelMasterName;
        password = b.password;
        aclUser = b.aclUser;
        sentinelPassword = b.sentinelPassword;
        baseDir = b.baseDir.toAbsolutePath().normalize();
        // Locks live in one place for every base dir, so labs with different base dirs still cannot share a port.
        portLockDir = (b.portLockDir != null ? b.portLockDir : DEFAULT_BASE_DIR.resolve("ports")).toAbsolutePath().normalize();
        sentinelDownAfterMillis = b.sentinelDownAfterMillis;
        sentinelFailoverTimeoutMillis = b.sentinelFailoverTimeoutMillis;
        clusterNodeTimeoutMillis = b.clusterNodeTimeoutMillis;
        nodeStartTimeout = b.nodeStartTimeout;
        readyTimeout = b.readyTimeout;
        redisServer = b.redisServer != null ? b.redisServer : findRedisServer();
        portRangeStart = b.portRangeStart;
        portRangeEnd = b.portRangeEnd;
        tls = b.tls;
        aclRule = b.aclRule;
        extraUser = b.extraUser;
        maxmemoryBytes = b.maxmemoryBytes;
        launcher = b.launcher != null ? b.launcher : NodeLauncher.fromSystemProperty();
        ownLoopbackAddresses = b.ownLoopbackAddresses;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int masters() { return masters; }
    public int replicasPerMaster() { return replicasPerMaster; }
    public int spareNodes() { return spareNodes; }
    public boolean sentinelGroup() { return sentinelGroup; }
    public int sentinelReplicas() { return sentinelReplicas; }
    public int sentinels() { return sentinels; }
    public String sentinelMasterName() { return sentinelMasterName; }
    /** Password of the data nodes (the ACL user's password when {@link #user()} is set), or null. */
    public String password() { return password; }
    /** ACL user the data nodes accept (the default user is then disabled), or null for the default user. */
    public String user() { return aclUser; }
    /** requirepass of the Sentinels themselves, or null. */
    public String sentinelPassword() { return sentinelPassword; }
    public Path baseDir() { return baseDir; }
    public Path portLockDir() { return portLockDir; }
    public int sentinelDownAfterMillis() { return sentinelDownAfterMillis; }
    public int sentinelFailoverTimeoutMillis() { return sentinelFailoverTimeoutMillis; }
    public int clusterNodeTimeoutMillis() { return clusterNodeTimeoutMillis; }
    public Duration nodeStartTimeout() { return nodeStartTimeout; }
    public Duration readyTimeout() { return readyTimeout; }
    public Path redisServer() { return redisServer; }
    public int portRangeStart() { return portRangeStart; }
    public int portRangeEnd() { return portRangeEnd; }
    /** Every node and Sentinel speaks TLS only (see {@link LabTls}). */
    public boolean tls() { return tls; }
    /** The ACL rule of {@link #user()} (commands, keys, channels), {@code ~* &* +@all} unless set. */
    public String aclRule() { return aclRule; }
    /** A further ACL user on every data node ({@code user <name> on ><password> <rule>}), e.g. the agent's least-privilege user. */
    public String extraUser() { return extraUser; }
    /** {@code maxmemory} of every data node (cluster nodes, spares, the Sentinel group); 0 leaves Redis' default (none). */
    public long maxmemoryBytes() { return maxmemoryBytes; }
    /** How nodes run: processes unless set here or by the system property {@value NodeLauncher#PROPERTY}. */
    public NodeLauncher launcher() { return launcher; }
    /** Each data node binds an address of its own in 127.0.0.0/8 (like pods with their own IPs), not 127.0.0.1. */
    public boolean ownLoopbackAddresses() { return ownLoopbackAddresses; }

    /** Majority of the Sentinels, so a single Sentinel cannot fail over alone. */
    public int sentinelQuorum() { return sentinels / 2 + 1; }

    public int clusterReplicaCount() { return masters * replicasPerMaster; }

    private static Path findRedisServer() {
        Path usual = Path.of("/usr/bin/redis-server");
        if (Files.isExecutable(usual)) {
            return usual;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, "redis-server");
                if (!dir.isEmpty() && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return usual; // RedisLab.start reports it missing with a clear message
    }

    @Override
    public String toString() {
        return "LabSpec{cluster=" + masters + "x" + replicasPerMaster + "+" + spareNodes + " spare"
                + ", sentinelGroup=" + (sentinelGroup ? "1+" + sentinelReplicas + " with " + sentinels + " sentinels" : "no")
                + ", auth=" + (aclUser != null ? "acl:" + aclUser : password != null ? "requirepass" : "none")
                + ", sentinelAuth=" + (sentinelPassword != null) + ", baseDir=" + baseDir + ", nodes as " + launcher + "}";
    }

    public static final class Builder {
        private int masters = 3;
        private int replicasPerMaster = 1;
        private int spareNodes = 0;
        private boolean sentinelGroup = false;
        private int sentinelReplicas = 1;
        private int sentinels = 3;
        private String sentinelMasterName = "mymaster";
        private String password;
        private String aclUser;
        private boolean tls;
        private String aclRule = "~* &* +@all";
        private String extraUser;
        private long maxmemoryBytes;
        private String sentinelPassword;
        private Path baseDir = DEFAULT_BASE_DIR;
        private Path portLockDir;
        private int sentinelDownAfterMillis = 1000;
        private int sentinelFailoverTimeoutMillis = 5000;
        private int clusterNodeTimeoutMillis = 1000;
        private Duration nodeStartTimeout = Duration.ofSeconds(10);
        private Duration readyTimeout = Duration.ofSeconds(30);
        private Path redisServer;
        private int portRangeStart = 20000;
        private int portRangeEnd = 32000;
        private NodeLauncher launcher;
        private boolean ownLoopbackAddresses;

        private Builder() {
        }

        /** Cluster masters; 0 means no cluster. */
        public Builder masters(int n) { masters = n; return this; }
        public Builder replicasPerMaster(int n) { replicasPerMaster = n; return this; }
        /** Empty cluster-enabled nodes that are not met, for scale-out tests. */
        public Builder spareNodes(int n) { spareNodes = n; return this; }
        public Builder sentinelGroup(boolean on) { sentinelGroup = on; return this; }
        public Builder sentinelReplicas(int n) { sentinelReplicas = n; return this; }
        public Builder sentinels(int n) { sentinels = n; return this; }
        public Builder sentinelMasterName(String name) { sentinelMasterName = name; return this; }
        public Builder password(String pw) { password = pw; return this; }
        public Builder aclUser(String user) { aclUser = user; return this; }
        public Builder tls(boolean on) { tls = on; return this; }
        public Builder aclRule(String rule) { aclRule = rule; return this; }
        public Builder extraUser(String name, String password, String rule) {
            extraUser = "user " + name + " on >" + password + " " + rule;
            return this;
        }
        /** {@code maxmemory} of every data node; 0 (the default) sets none. */
        public Builder maxmemoryBytes(long bytes) { maxmemoryBytes = bytes; return this; }
        public Builder sentinelPassword(String pw) { sentinelPassword = pw; return this; }
        public Builder baseDir(Path dir) { baseDir = dir; return this; }
        public Builder portLockDir(Path dir) { portLockDir = dir; return this; }
        public Builder sentinelDownAfterMillis(int ms) { sentinelDownAfterMillis = ms; return this; }
        public Builder sentinelFailoverTimeoutMillis(int ms) { sentinelFailoverTimeoutMillis = ms; return this; }
        public Builder clusterNodeTimeoutMillis(int ms) { clusterNodeTimeoutMillis = ms; return this; }
        /** How long one process may take to answer PING. */
        public Builder nodeStartTimeout(Duration d) { nodeStartTimeout = d; return this; }
        /** How long the cluster / Sentinel group may take to converge. */
        public Builder readyTimeout(Duration d) { readyTimeout = d; return this; }
        public Builder redisServer(Path binary) { redisServer = binary; return this; }
        /** How nodes run; see {@link NodeLauncher#fromSystemProperty()} for the default. */
        public Builder launcher(NodeLauncher l) { launcher = l; return this; }
        /** Every data node on its own loopback address (127.0.x.y), so that it can move to another one like a pod. */
        public Builder ownLoopbackAddresses(boolean on) { ownLoopbackAddresses = on; return this; }
        /** Port range [start, end); keep it below the Linux ephemeral range and away from 6379. */
        public Builder portRange(int start, int end) { portRangeStart = start; portRangeEnd = end; return this; }

        public LabSpec build() {
            check(masters >= 0 && replicasPerMaster >= 0 && spareNodes >= 0, "node counts must be >= 0");
            check(maxmemoryBytes >= 0, "maxmemory must be >= 0");
            check(masters <= 16384, "at most 16384 masters");
            check(!sentinelGroup || (sentinelReplicas >= 0 && sentinels >= 1), "a sentinel group needs >= 1 sentinel");
            check(sentinelMasterName != null && sentinelMasterName.matches("[A-Za-z0-9._-]+"), "bad sentinel master name");
            check(aclUser == null || password != null, "aclUser needs a password");
            check(aclUser == null || aclUser.matches("[A-Za-z0-9._-]+") && !aclUser.equals("default"), "bad ACL user name");
            check(noSpace(password) && noSpace(sentinelPassword), "passwords must not contain whitespace or quotes");
            check(sentinelDownAfterMillis > 0 && sentinelFailoverTimeoutMillis > 0 && clusterNodeTimeoutMillis > 0,
                    "timeouts must be > 0");
            check(portRangeStart >= 1024 && portRangeEnd <= 65536 && portRangeEnd - portRangeStart >= 16,
                    "port range must be inside 1024-65535 and hold >= 16 ports");
            check(!(ownLoopbackAddresses && tls), "own loopback addresses and TLS do not go together (the certificate names 127.0.0.1)");
            Objects.requireNonNull(baseDir, "baseDir");
            Objects.requireNonNull(nodeStartTimeout, "nodeStartTimeout");
            Objects.requireNonNull(readyTimeout, "readyTimeout");
            return new LabSpec(this);
        }

        private static boolean noSpace(String s) {
            return s == null || (!s.isEmpty() && s.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\''));
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
