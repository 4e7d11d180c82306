package io.cahoots.agent.k8s;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.InfoReply;
import io.cahoots.agent.redis.AclRules;
import io.cahoots.agent.redis.lab.LabTls;
import io.fabric8.kubernetes.api.model.Container;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The kit's per-role users on real servers ({@link KitProcesses}): six cluster nodes, each started as the StatefulSet
 * starts it, after its init container rendered {@code users.acl} from the role Secrets (a different password per
 * Secret); the create Job's script forms the cluster as {@code cahoots-admin}; then
 * <ul>
 *   <li>the nodes run the rendered file ({@code aclfile}, no {@code requirepass}, the five users);</li>
 *   <li>every replica syncs as {@code cahoots-replication} (masteruser/masterauth of replication.conf);</li>
 *   <li>the pod's probe command, with the container's environment, passes, and fails with another role's password;</li>
 *   <li>{@code cahoots-app} may SET/GET through a cluster client and is refused CONFIG, CLUSTER SETSLOT, FLUSHALL, EVAL;</li>
 *   <li>{@code cahoots-agent} may run every command AclRules lists (ACL DRYRUN, and a few for real) and nothing else;</li>
 *   <li>the default user and every password used for another role's user are refused.</li>
 * </ul>
 * And the same over TLS, the way {@code k8s/alternatives/redis-tls.yaml} describes it: {@code tls.conf} included, the
 * data nodes' certificate at {@code /tls}, the Job's script and the probes with its {@code TLS_ARGS}, clients with a
 * client certificate: TLS changes the connection, never who may do what.
 */
class KitAclIT {

    static final Rendering KIT = ManifestsTest.KIT;
    static final Map<String, String> SECRETS = KitSecrets.PASSWORDS;
    static final String ADMIN_PASSWORD = KitSecrets.password("cahoots-redis-admin");
    static final String AGENT_PASSWORD = KitSecrets.password("cahoots-redis-agent");
    static final String APP_PASSWORD = KitSecrets.password("cahoots-redis-app");
    static final String REPLICATION_PASSWORD = KitSecrets.password("cahoots-redis-replication");
    static final Map<String, String> USER_SECRET = Map.of("cahoots-agent", "cahoots-redis-agent", "cahoots-app", "cahoots-redis-app",
            "cahoots-replication", "cahoots-redis-replication", "cahoots-admin", "cahoots-redis-admin");

    /** What redis-tls.yaml tells to give redis-cli in the TLS variant (scripts' TLS_ARGS, probes). */
    static final String TLS_ARGS = "--tls --cacert /tls/ca.crt --cert /tls/tls.crt --key /tls/tls.key";

    /** Null: plain text. */
    private LabTls tls;
    private Path nodeTls;
    private Path clientTls;

    @Test
    void aClusterOfTheKitsNodesGivesEachRoleItsPartAndNoMore() throws Exception {
        try (KitProcesses kit = new KitProcesses()) {
            try {
                run(kit);
            } catch (Throwable t) {
                kit.keep();
                throw t;
            }
        }
    }

    @Test
    void theSameOverTlsAsTheTlsVariantDescribesIt() throws Exception {
        String variant = Rendering.read(Rendering.K8S.resolve("alternatives/redis-tls.yaml"));
        assertThat(variant).contains("TLS_ARGS=\"" + TLS_ARGS + "\"")
                .contains("probe.sh and pre-stop.sh pass it to");
        try (KitProcesses kit = new KitProcesses()) {
            try {
                tls = LabTls.generate(kit.scratch("ca"));
                // The role Secrets' files: the data nodes' certificate (cahoots-redis-tls) and a client's (the admins',
                // the applications' and the agent's in the test: one client certificate of the same CA).
                nodeTls = secretFiles(kit.scratch("tls-node"), tls.serverCert(), tls.serverKey());
                clientTls = secretFiles(kit.scratch("tls-client"), tls.clientCert(), tls.clientKey());
                run(kit);
            } catch (Throwable t) {
                kit.keep();
                throw t;
            }
        }
    }

    private Path secretFiles(Path dir, Path cert, Path key) throws IOException {
        Files.copy(tls.ca(), dir.resolve("ca.crt"));
        Files.copy(cert, dir.resolve("tls.crt"));
        Files.copy(key, dir.resolve("tls.key"));
        return dir;
    }

    private void run(KitProcesses kit) throws Exception {
        List<String> tlsNodeArgs = new ArrayList<>();
        if (tls != null) {
            Path tlsConf = Files.writeString(kit.scratch("etc").resolve("tls.conf"),
                    Rendering.read(Path.of("redis-conf/tls.conf")).replace("/tls/", nodeTls + "/"));
            tlsNodeArgs.addAll(List.of("--include", tlsConf.toString()));
        }
        Container node = KIT.container("redis-cluster", "redis");
        List<HostPort> cluster = new ArrayList<>();
        Map<HostPort, Path> rendered = new LinkedHashMap<>();
        Map<String, String> nodeEnv = null;
        for (int i = 0; i < KIT.workload("redis-cluster").replicas(); i++) {
            HostPort a = new HostPort("127.0.0.1", kit.port());
            cluster.add(a);
            kit.address("redis-cluster-" + i + ".redis-cluster:6379", a);
            rendered.put(a, KitSecrets.renderAcl(kit, "redis-cluster", "redis-cluster-" + i));
            nodeEnv = kit.environment(node, Map.of(), SECRETS, Map.of());
            List<String> extra = new ArrayList<>(tlsNodeArgs);
            extra.addAll(tls == null ? List.of("--port", Integer.toString(a.port())) : List.of("--tls-port", Integer.toString(a.port()), "--port", "0"));
            extra.addAll(List.of("--cluster-port", Integer.toString(kit.port()), "--bind", "127.0.0.1", "--repl-diskless-sync-delay", "0"));
            kit.start(kit.scratch("redis-cluster-" + i), nodeEnv, kit.commandLine(node, nodeEnv, extra.toArray(String[]::new)));
        }
        assertThat(nodeEnv).containsOnlyKeys("REDISCLI_AUTH").containsEntry("REDISCLI_AUTH", REPLICATION_PASSWORD);
        cluster.forEach(a -> awaitPing(a, "cahoots-admin", ADMIN_PASSWORD));

        // The Job, as cahoots-admin.
        Container create = KIT.container("redis-cluster-create", "create");
        Map<String, String> createEnv = kit.environment(create, Map.of(), SECRETS, tls == null ? Map.of("WAIT_SECONDS", "30")
                : Map.of("WAIT_SECONDS", "30", "TLS_ARGS", TLS_ARGS.replace("/tls/", clientTls + "/")));
        assertThat(createEnv).containsEntry("REDIS_USER", "cahoots-admin").containsEntry("REDISCLI_AUTH", ADMIN_PASSWORD);
        assertThat(kit.runToEnd(kit.scratch("create"), createEnv, kit.commandLine(create, createEnv), Duration.ofSeconds(90)))
                .contains("create-cluster: cluster created");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (HostPort a : cluster) {
                try (Jedis j = admin(a)) {
                    InfoReply info = InfoReply.parse(j.clusterInfo());
                    assertThat(info.get("cluster_state")).contains("ok");
                    assertThat(info.getLong("cluster_known_nodes", 0)).isEqualTo(6);
                }
            }
        });

        // 1. The rendered file is what the nodes run.
        for (HostPort a : cluster) {
            try (Jedis j = admin(a)) {
                assertThat(j.configGet("aclfile").get("aclfile")).isEqualTo(rendered.get(a).resolve("users.acl").toString());
                assertThat(j.configGet("requirepass").get("requirepass")).isEmpty();
                assertThat(j.configGet("masteruser").get("masteruser")).isEqualTo("cahoots-replication");
                assertThat(new TreeSet<>(j.aclUsers())).containsExactly("cahoots-admin", "cahoots-agent", "cahoots-app", "cahoots-replication", "default");
                assertThat(j.aclGetUser("default").getFlags()).contains("off");
            }
        }

        // 2. Three masters with a replica each, the replication link authenticated as cahoots-replication.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            int masters = 0;
            int replicas = 0;
            for (HostPort a : cluster) {
                try (Jedis j = admin(a)) {
                    InfoReply info = InfoReply.parse(j.info("replication"));
                    if (info.get("role").orElse("").equals("master")) {
                        masters++;
                        assertThat(info.getLong("connected_slaves", 0)).isEqualTo(1);
                        String replicaClients = j.clientList().lines().filter(l -> l.contains(" flags=S ")).collect(Collectors.joining("\n"));
                        assertThat(replicaClients).as(a + " replica connections").contains("user=cahoots-replication")
                                .doesNotContain("user=default").doesNotContain("user=cahoots-admin");
                    } else {
                        replicas++;
                        assertThat(info.get("master_link_status")).contains("up");
                    }
                }
            }
            assertThat(masters).isEqualTo(3);
            assertThat(replicas).isEqualTo(3);
        });

        // 3. The probes as the kubelet runs them, in the container's environment.
        for (String kind : List.of("startup", "readiness", "liveness")) {
            List<String> probe = switch (kind) {
                case "startup" -> node.getStartupProbe().getExec().getCommand();
                case "readiness" -> node.getReadinessProbe().getExec().getCommand();
                default -> node.getLivenessProbe().getExec().getCommand();
            };
            for (HostPort a : cluster) {
                List<String> local = probe.stream().map(w -> localProbe(w, a)).toList();
                assertThat(exit(local, probeEnv(nodeEnv, a), kit.dir)).as(kind + " probe on " + a).isZero();
            }
        }
        List<String> readiness = node.getReadinessProbe().getExec().getCommand().stream().map(w -> localProbe(w, cluster.get(0))).toList();
        assertThat(exit(readiness, probeEnv(Map.of("REDISCLI_AUTH", APP_PASSWORD), cluster.get(0)), kit.dir))
                .as("the probe with another role's password").isNotZero();

        // 4. The applications: data through a cluster client, no administration.
        try (JedisCluster app = new JedisCluster(Set.of(new HostAndPort("127.0.0.1", cluster.get(0).port())),
                config("cahoots-app", APP_PASSWORD))) {
            for (int i = 0; i < 100; i++) {
                app.set("user:session:" + i, "v" + i);
            }
            for (int i = 0; i < 100; i++) {
                assertThat(app.get("user:session:" + i)).isEqualTo("v" + i);
            }
        }
        HostPort master = masters(cluster).get(0);
        try (Jedis app = connect(master, "cahoots-app", APP_PASSWORD)) {
            assertThat(app.ping()).isEqualTo("PONG");
            refused(() -> app.configGet("maxmemory"), "config|get");
            refused(() -> app.configSet("maxmemory", "1mb"), "config|set");
            refused(() -> app.sendCommand(Protocol.Command.CLUSTER, "SETSLOT", "0", "STABLE"), "cluster|setslot");
            refused(() -> app.sendCommand(Protocol.Command.CLUSTER, "FORGET", "0123456789012345678901234567890123456789"), "cluster|forget");
            refused(app::flushAll, "flushall");
            refused(() -> app.eval("return 1", 0), "eval");
            refused(() -> app.sendCommand(Protocol.Command.ACL, "SETUSER", "x", "on"), "acl|setuser");
        }

        // 5. The agent: every command of its rule (dry run, with valid arguments), a few for real, nothing beyond.
        try (Jedis admin = admin(master)) {
            List<String> denied = new ArrayList<>();
            Set<String> checked = new TreeSet<>();
            for (List<String> commands : AclRules.DATA_NODE_COMMANDS.values()) {
                for (String c : commands) {
                    if (!checked.add(c)) {
                        continue;
                    }
                    List<String> args = new ArrayList<>(List.of("DRYRUN", "cahoots-agent"));
                    args.addAll(List.of(c.split("\\|")));
                    args.addAll(sampleArguments(c));
                    String r = SafeEncoder.encodeObject(admin.sendCommand(Protocol.Command.ACL, args.toArray(String[]::new))).toString();
                    if (!r.equals("OK")) {
                        denied.add(c + ": " + r);
                    }
                }
            }
            assertThat(denied).as("commands of AclRules that cahoots-agent may not run").isEmpty();
            assertThat(checked).hasSizeGreaterThan(50);
            for (String c : List.of("flushall", "acl|setuser", "shutdown", "debug", "keys", "config|resetstat", "module|list")) {
                List<String> args = new ArrayList<>(List.of("DRYRUN", "cahoots-agent"));
                args.addAll(List.of(c.split("\\|")));
                args.addAll(sampleArguments(c));
                String r = SafeEncoder.encodeObject(admin.sendCommand(Protocol.Command.ACL, args.toArray(String[]::new))).toString();
                assertThat(r).as(c).contains("no permissions");
            }
        }
        try (Jedis agent = connect(master, "cahoots-agent", AGENT_PASSWORD)) {
            assertThat(agent.clusterNodes()).contains("myself,master");
            assertThat(agent.configGet("maxmemory")).containsEntry("maxmemory", "2147483648");
            assertThat(InfoReply.parse(agent.info("replication")).get("role")).contains("master");
            assertThat(agent.clusterCountKeysInSlot(0)).isNotNegative();
            assertThat(agent.publish("cahoots:topology", "{}")).isNotNegative();
            refused(agent::flushAll, "flushall");
            refused(() -> agent.publish("another:channel", "x"), "channel");
        }

        // 6. No default user, and a password opens its own user only.
        try (Jedis anonymous = connect(master, null, null)) {
            assertThatThrownBy(anonymous::ping).isInstanceOf(JedisDataException.class).hasMessageContaining("NOAUTH");
        }
        for (String pw : SECRETS.values()) {
            assertThatThrownBy(() -> connect(master, null, pw).ping()).as("default user with %s", pw)
                    .isInstanceOf(JedisDataException.class).hasMessageContaining("WRONGPASS");
        }
        for (Map.Entry<String, String> u : USER_SECRET.entrySet()) {
            for (Map.Entry<String, String> s : SECRETS.entrySet()) {
                if (s.getKey().equals(u.getValue())) {
                    try (Jedis j = connect(master, u.getKey(), s.getValue())) {
                        assertThat(j.ping()).isEqualTo("PONG");
                    }
                } else {
                    assertThatThrownBy(() -> connect(master, u.getKey(), s.getValue()).ping())
                            .as("%s with the password of %s", u.getKey(), s.getKey())
                            .isInstanceOf(JedisDataException.class).hasMessageContaining("WRONGPASS");
                }
            }
        }
    }

    private Jedis admin(HostPort a) {
        return connect(a, "cahoots-admin", ADMIN_PASSWORD);
    }

    private DefaultJedisClientConfig config(String user, String password) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder().user(user).password(password)
                .socketTimeoutMillis(2000).connectionTimeoutMillis(2000);
        if (tls != null) {
            b.ssl(true).sslSocketFactory(tls.clientTls().socketFactory());
        }
        return b.build();
    }

    private Jedis connect(HostPort a, String user, String password) {
        return new Jedis(new HostAndPort(a.host(), a.port()), config(user, password));
    }

    private void awaitPing(HostPort a, String user, String password) {
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            try (Jedis j = connect(a, user, password)) {
                assertThat(j.ping()).isEqualTo("PONG");
            }
        });
    }

    /** A probe's words on loopback: the node's port and, in the TLS variant, redis-cli with TLS_ARGS and the node's files. */
    /**
     * The probe's environment on loopback: the container's, and what the pod's network gives the scripts (the node's
     * port; in the TLS variant TLS_ARGS with the certificate's local path).
     */
    private Map<String, String> probeEnv(Map<String, String> env, HostPort a) {
        Map<String, String> out = new java.util.HashMap<>(env);
        out.put("PORT", Integer.toString(a.port()));
        if (tls != null) {
            out.put("TLS_ARGS", TLS_ARGS.replace("/tls/", nodeTls + "/"));
        }
        return out;
    }

    private String localProbe(String word, HostPort a) {
        String w = word.replace("-p 6379", "-h 127.0.0.1 -p " + a.port())
                .replace("/scripts/", Path.of("k8s/redis").toAbsolutePath() + "/");
        if (tls != null && w.contains("redis-cli ")) {
            w = w.replace("redis-cli ", "redis-cli " + TLS_ARGS + " ").replace("/tls/", nodeTls + "/");
        }
        return w;
    }

    private List<HostPort> masters(List<HostPort> cluster) {
        List<HostPort> out = new ArrayList<>();
        for (HostPort a : cluster) {
            try (Jedis j = admin(a)) {
                if (InfoReply.parse(j.info("replication")).get("role").orElse("").equals("master")) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    private static void refused(Runnable call, String what) {
        assertThatThrownBy(call::run).as(what).isInstanceOf(JedisDataException.class).hasMessageContaining("NOPERM");
    }

    /** Arguments that give each command a valid arity for ACL DRYRUN (which checks it). */
    static List<String> sampleArguments(String command) {
        return switch (command) {
            case "cluster|countkeysinslot", "cluster|getkeysinslot" -> command.endsWith("getkeysinslot") ? List.of("0", "10") : List.of("0");
            case "cluster|setslot" -> List.of("0", "stable");
            case "cluster|addslotsrange" -> List.of("0", "1");
            case "cluster|meet" -> List.of("127.0.0.1", "1");
            case "cluster|replicate", "cluster|forget" -> List.of("0123456789012345678901234567890123456789");
            case "migrate" -> List.of("127.0.0.1", "1", "k", "0", "1000");
            case "exists", "dump", "hgetall", "hlen", "get", "del", "ttl", "pttl", "type", "hvals", "memory|usage" -> List.of("k");
            case "restore", "restore-asking" -> List.of("k", "0", "v");
            case "select" -> List.of("0");
            case "eval" -> List.of("return 1", "0");
            case "evalsha" -> List.of("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0");
            case "script|load" -> List.of("return 1");
            case "hset" -> List.of("k", "f", "v");
            case "hget", "hdel", "hexists", "hmget" -> List.of("k", "f");
            case "hincrby" -> List.of("k", "f", "1");
            case "pexpire", "expire" -> List.of("k", "1");
            case "set" -> List.of("k", "v");
            case "psetex" -> List.of("k", "1", "v");
            case "publish" -> List.of("cahoots:topology", "m");
            case "subscribe" -> List.of("cahoots:topology");
            case "psubscribe" -> List.of("__keyspace@0__:*");
            case "client|setname" -> List.of("n");
            case "wait" -> List.of("0", "0");
            case "config|get" -> List.of("maxmemory");
            case "config|set" -> List.of("maxmemory", "1");
            case "scan" -> List.of("0");
            case "hscan" -> List.of("k", "0");
            case "acl|setuser" -> List.of("x");
            case "shutdown", "flushall", "keys" -> command.equals("keys") ? List.of("*") : List.of();
            case "debug" -> List.of("sleep", "0");
            case "client|pause" -> List.of("1", "WRITE");
            case "replicaof" -> List.of("no", "one");
            default -> List.of();
        };
    }

    private static int exit(List<String> command, Map<String, String> env, Path dir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        String path = pb.environment().get("PATH");
        pb.environment().clear();
        pb.environment().put("PATH", path);
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
