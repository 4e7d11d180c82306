package io.cahoots.agent.k8s;

import io.cahoots.agent.cluster.HostPort;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The data nodes' scripts {@code k8s/redis/probe.sh} and {@code k8s/redis/pre-stop.sh} on real {@code redis-server}
 * processes, run as the kubelet runs them: {@code sh /scripts/...} with the container's environment (REDISCLI_AUTH =
 * the replication user's password) and the kit's {@code cahoots-replication} ACL rule from {@code redis-conf/users.acl}.
 */
class KitScriptsIT {

    static final String REPLICATION_PASSWORD = KitSecrets.password("cahoots-redis-replication");
    static final String ADMIN_PASSWORD = KitSecrets.password("cahoots-redis-admin");
    static final Path SCRIPTS = Path.of("k8s/redis").toAbsolutePath();

    record Script(int exit, String output) {
    }

    @Test
    void aMastersPreStopMakesItsReplicaTakeOverAndTheProbesFollowTheRoles() throws Exception {
        try (KitProcesses kit = new KitProcesses()) {
            try {
                HostPort m = node(kit, "m", true, "");
                HostPort r = node(kit, "r", true, "");
                try (Jedis master = admin(m); Jedis replica = admin(r)) {
                    master.sendCommand(Protocol.Command.CLUSTER, "ADDSLOTSRANGE", "0", "16383");
                    String masterId = master.clusterMyId();
                    replica.sendCommand(Protocol.Command.CLUSTER, "MEET", "127.0.0.1", Integer.toString(m.port()),
                            Integer.toString(busPort(master)));
                    await().atMost(Duration.ofSeconds(30)).until(() -> replica.clusterNodes().contains(masterId));
                    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> "OK".equals(replica.clusterReplicate(masterId)));
                    await().atMost(Duration.ofSeconds(30)).until(() -> master.clusterInfo().contains("cluster_state:ok"));
                    for (int i = 0; i < 1000; i++) {
                        master.set("{k}" + i, "v" + i);
                    }
                    await().atMost(Duration.ofSeconds(60)).until(() -> replica.info("replication").contains("master_link_status:up")
                            && replica.clusterInfo().contains("cluster_state:ok") && replica.dbSize() == 1000);

                    assertThat(script("probe.sh", m, "live").exit()).isZero();
                    assertThat(script("probe.sh", m, "ready").exit()).as(script("probe.sh", m, "ready").output()).isZero();
                    assertThat(script("probe.sh", r, "ready").exit()).isZero();
                    assertThat(script("probe.sh", m, "sideways").exit()).isEqualTo(2);

                    // A replica's preStop does nothing.
                    Script onReplica = script("pre-stop.sh", r);
                    assertThat(onReplica.exit()).isZero();
                    assertThat(onReplica.output()).contains("not a master");
                    assertThat(replica.info("replication")).contains("role:slave");

                    // The master's preStop: CLUSTER FAILOVER on its in-sync replica, returns once it is a replica itself.
                    Script onMaster = script("pre-stop.sh", m);
                    assertThat(onMaster.exit()).as(onMaster.output()).isZero();
                    assertThat(onMaster.output()).contains("CLUSTER FAILOVER on replica " + r).contains("this node is a replica now");
                    assertThat(master.info("replication")).contains("role:slave");
                    assertThat(replica.info("replication")).contains("role:master");
                    assertThat(replica.dbSize()).isEqualTo(1000);
                    await().atMost(Duration.ofSeconds(30)).until(() -> script("probe.sh", m, "ready").exit() == 0
                            && script("probe.sh", r, "ready").exit() == 0);
                }
            } catch (Throwable t) {
                kit.keep();
                throw t;
            }
        }
    }

    @Test
    void aLoadingNodeIsAliveButNotReadyAndSoIsAReplicaWithoutItsMaster() throws Exception {
        try (KitProcesses kit = new KitProcesses()) {
            try {
                // key-load-delay: ~100 us per key, so 100,000 keys take 10 s or more to load; answering clients every
                // 16 KB loaded (not every 2 MB, the default) lets the probes reach it while it loads, as on a large node.
                HostPort n = node(kit, "loading", false, "key-load-delay 100\nloading-process-events-interval-bytes 16384\n");
                try (Jedis j = admin(n)) {
                    j.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode("DEBUG"), "POPULATE", "100000");
                    j.save();
                    assertThat(script("probe.sh", n, "ready").exit()).isZero(); // a master of its own
                    // DEBUG RELOAD would block the connection; restart-from-RDB is what a pod does: load on start.
                }
                restart(kit, n);
                await().atMost(Duration.ofSeconds(20)).until(() -> loading(n));
                Script live = script("probe.sh", n, "live");
                Script ready = script("probe.sh", n, "ready");
                assertThat(loading(n)).as("still loading after the probes ran").isTrue();
                assertThat(live.exit()).as(live.output()).isZero();
                assertThat(ready.exit()).isEqualTo(1);
                assertThat(ready.output()).contains("loading");
                await().atMost(Duration.ofSeconds(120)).until(() -> !loading(n));
                assertThat(script("probe.sh", n, "ready").exit()).isZero();

                // A replica whose master is away, told not to serve stale data (PING answers MASTERDOWN): alive, not ready.
                HostPort orphan = node(kit, "orphan", false, "replicaof 127.0.0.1 " + kit.port() + "\nreplica-serve-stale-data no\n");
                assertThat(script("probe.sh", orphan, "live").exit()).isZero();
                Script orphanReady = script("probe.sh", orphan, "ready");
                assertThat(orphanReady.exit()).isEqualTo(1);
                assertThat(orphanReady.output()).contains("link down");

                // Nothing answers: not alive.
                HostPort nobody = new HostPort("127.0.0.1", kit.port());
                assertThat(script("probe.sh", nobody, "live").exit()).isEqualTo(1);
            } catch (Throwable t) {
                kit.keep();
                throw t;
            }
        }
    }

    // -- fixtures -------------------------------------------------------------------------------------------------

    private final Map<HostPort, Path> confs = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<HostPort, Process> processes = new java.util.concurrent.ConcurrentHashMap<>();

    /** A data node with the kit's replication user (its rule from users.acl) and an admin; the default user off. */
    private HostPort node(KitProcesses kit, String name, boolean cluster, String extra) throws IOException {
        int port = kit.port();
        Path dir = kit.scratch(name);
        StringBuilder c = new StringBuilder();
        c.append("port ").append(port).append("\nbind 127.0.0.1\nsave \"\"\nappendonly no\ndir ").append(dir).append('\n');
        c.append("enable-debug-command local\nrepl-diskless-sync yes\nrepl-diskless-sync-delay 0\n");
        if (cluster) {
            c.append("cluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 3000\ncluster-port ")
                    .append(kit.port()).append('\n');
        }
        c.append("user default off\n").append(replicationUser()).append('\n');
        c.append("user cahoots-admin on >").append(ADMIN_PASSWORD).append(" ~* &* +@all\n");
        c.append("masteruser cahoots-replication\nmasterauth ").append(REPLICATION_PASSWORD).append('\n');
        c.append(extra);
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, c.toString());
        HostPort a = new HostPort("127.0.0.1", port);
        confs.put(a, conf);
        processes.put(a, kit.start(dir, Map.of(), List.of("redis-server", conf.toString())));
        // INFO, not PING: a replica that may not serve stale data answers PING with MASTERDOWN.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Jedis j = admin(a)) {
                return j.info("server").contains("redis_version");
            }
        });
        return a;
    }

    private void restart(KitProcesses kit, HostPort a) throws InterruptedException {
        Process p = processes.get(a);
        p.destroy();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        processes.put(a, kit.start(confs.get(a).getParent(), Map.of(), List.of("redis-server", confs.get(a).toString())));
    }

    /** The kit's {@code cahoots-replication} line, with the password itself in place of its hash placeholder. */
    static String replicationUser() throws IOException {
        return Files.readAllLines(Path.of("redis-conf/users.acl")).stream().filter(l -> l.startsWith("user cahoots-replication "))
                .findFirst().orElseThrow().replace("#REPLICATION_PASSWORD_SHA256", ">" + REPLICATION_PASSWORD);
    }

    private static boolean loading(HostPort a) {
        try (Jedis j = admin(a)) {
            return j.info("persistence").contains("loading:1");
        } catch (RuntimeException e) {
            return false; // not answering yet
        }
    }

    private static Jedis admin(HostPort a) {
        // Authenticated in the handshake, without CLIENT SETINFO (Redis 7.0 has none; a loading node refuses it).
        return new Jedis(new redis.clients.jedis.HostAndPort(a.host(), a.port()), redis.clients.jedis.DefaultJedisClientConfig.builder()
                .user("cahoots-admin").password(ADMIN_PASSWORD).timeoutMillis(5000)
                .clientSetInfoConfig(redis.clients.jedis.ClientSetInfoConfig.DISABLED).build());
    }

    private static int busPort(Jedis j) {
        return Integer.parseInt(j.configGet("cluster-port").get("cluster-port"));
    }

    /** {@code sh /scripts/<name> [args]} as the kubelet runs it in the container: its env, the pod's port. */
    private static Script script(String name, HostPort node, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("sh", SCRIPTS.resolve(name).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        String path = pb.environment().get("PATH");
        pb.environment().clear();
        pb.environment().put("PATH", path);
        pb.environment().putAll(Map.of("REDISCLI_AUTH", REPLICATION_PASSWORD, "PORT", Integer.toString(node.port()),
                "WAIT", "20"));
        Process p = pb.start();
        assertThat(p.waitFor(40, TimeUnit.SECONDS)).as(name + " ended").isTrue();
        return new Script(p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }
}
