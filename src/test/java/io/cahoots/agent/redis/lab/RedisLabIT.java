package io.cahoots.agent.redis.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cahoots.agent.cluster.HostPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Starts real redis-server processes. Fails (never skips) when redis-server is missing. The labs start in parallel
 * in {@link #startLabs()} and are shared by the tests to keep the run short.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisLabIT {

    private static final Path REDIS_SERVER = LabSpec.builder().build().redisServer();
    private static final Path REDIS_CLI = REDIS_SERVER.resolveSibling("redis-cli");

    private RedisLab lab;      // 3x1 cluster + 1 spare + sentinel group (1 replica, 3 sentinels)
    private RedisLab pwLab;    // requirepass: 3x1 cluster + sentinel group (1 replica, 1 sentinel)
    private RedisLab aclLab;   // ACL user + sentinel password: 3x0 cluster + sentinel group (1 replica, 3 sentinels)
    private RedisLab closeLab; // closed by closeLeavesNothing()

    @BeforeAll
    void startLabs() {
        assertThat(REDIS_SERVER).as("redis-server is required for this test").isExecutable();
        assertThat(REDIS_CLI).as("redis-cli is required for this test").isExecutable();
        CompletableFuture<RedisLab> main = CompletableFuture.supplyAsync(() -> RedisLab.start(LabSpec.builder()
                .masters(3).replicasPerMaster(1).spareNodes(1)
                .sentinelGroup(true).sentinelReplicas(1).sentinels(3)
                .build()));
        CompletableFuture<RedisLab> pw = CompletableFuture.supplyAsync(() -> RedisLab.start(LabSpec.builder()
                .masters(3).replicasPerMaster(1)
                .sentinelGroup(true).sentinelReplicas(1).sentinels(1)
                .password("secret")
                .build()));
        CompletableFuture<RedisLab> acl = CompletableFuture.supplyAsync(() -> RedisLab.start(LabSpec.builder()
                .masters(3).replicasPerMaster(0)
                .sentinelGroup(true).sentinelReplicas(1).sentinels(3)
                .password("secret").aclUser("agent").sentinelPassword("spw")
                .build()));
        CompletableFuture<RedisLab> toClose = CompletableFuture.supplyAsync(() -> RedisLab.start(LabSpec.builder()
                .masters(3).replicasPerMaster(0).spareNodes(1)
                .sentinelGroup(true).sentinelReplicas(0).sentinels(1)
                .build()));
        try {
            CompletableFuture.allOf(main, pw, acl, toClose).join();
        } finally {
            // whatever started must be closed even if another lab failed
            lab = main.exceptionally(e -> null).join();
            pwLab = pw.exceptionally(e -> null).join();
            aclLab = acl.exceptionally(e -> null).join();
            closeLab = toClose.exceptionally(e -> null).join();
        }
        System.out.printf("RedisLabIT: 3x1+spare+sentinels lab started in %d ms (password lab %d ms, acl lab %d ms,"
                        + " small lab %d ms; all four in parallel)%n", lab.startDuration().toMillis(),
                pwLab.startDuration().toMillis(), aclLab.startDuration().toMillis(), closeLab.startDuration().toMillis());
    }

    @AfterAll
    void closeLabs() {
        for (RedisLab l : new RedisLab[] {lab, pwLab, aclLab, closeLab}) {
            if (l != null) {
                l.close();
            }
        }
    }

    @Test
    void clusterSpareAndSentinelsAreReady() throws Exception {
        assertThat(lab.masters()).hasSize(3);
        assertThat(lab.replicas()).hasSize(3);
        assertThat(lab.clusterNodes()).hasSize(6).doesNotContainAnyElementsOf(lab.spareNodes());
        assertThat(lab.spareNodes()).isNotEmpty(); // startSpareNodeAndFlushAll() may have added one
        assertThat(lab.sentinels()).hasSize(3);
        assertThat(lab.sentinelReplicas()).hasSize(1);
        assertThat(lab.sentinelMasterName()).isEqualTo("mymaster");

        for (HostPort hp : lab.clusterNodes()) {
            String info = cli(hp, List.of(), "cluster", "info");
            assertThat(info).contains("cluster_state:ok", "cluster_slots_assigned:16384", "cluster_known_nodes:6");
            assertThat(hp.port()).isBetween(20000, 31999).isNotEqualTo(6379);
            LabNode n = lab.node(hp);
            assertThat(n.isAlive()).isTrue();
            assertThat(n.pid()).isPositive();
            assertThat(n.dir()).startsWith(lab.dir());
            assertThat(n.logFile()).exists();
            assertThat(n.clusterBusPort()).isBetween(20000, 31999);
        }
        // slots spread like redis-cli, the first master takes the remainder
        try (Jedis j = lab.connect(lab.masters().get(0))) {
            ClusterNodesView view = ClusterNodesView.parse(j.clusterNodes());
            List<Integer> sizes = lab.masters().stream()
                    .map(m -> view.byPort(m.port()).slots().stream().mapToInt(r -> r[1] - r[0] + 1).sum()).toList();
            assertThat(sizes).containsExactly(5462, 5461, 5461);
        }

        HostPort spare = lab.spareNodes().get(0);
        assertThat(cli(spare, List.of(), "cluster", "info"))
                .contains("cluster_slots_assigned:0", "cluster_known_nodes:1");
        assertThat(cli(spare, List.of(), "cluster", "nodes").strip().lines()).hasSize(1);

        for (HostPort s : lab.sentinels()) {
            try (Jedis j = lab.connect(s)) {
                assertThat(j.sentinelSentinels("mymaster")).hasSize(2);
                assertThat(j.sentinelReplicas("mymaster")).hasSize(1);
                assertThat(j.sentinelGetMasterAddrByName("mymaster"))
                        .containsExactly("127.0.0.1", Integer.toString(lab.sentinelPrimary().port()));
            }
        }
        try (Jedis j = lab.connect(lab.sentinelReplicas().get(0))) {
            assertThat(j.info("replication")).contains("master_link_status:up");
        }
    }

    @Test
    void startSpareNodeAndFlushAll() {
        HostPort extra = lab.startSpareNode();
        assertThat(lab.spareNodes()).contains(extra);
        try (Jedis j = lab.connect(extra)) {
            assertThat(j.clusterInfo()).contains("cluster_known_nodes:1");
        }

        Set<HostAndPort> seeds = lab.masters().stream().map(h -> new HostAndPort(h.host(), h.port()))
                .collect(Collectors.toSet());
        try (JedisCluster cluster = new JedisCluster(seeds, DefaultJedisClientConfig.builder().build())) {
            for (int i = 0; i < 50; i++) {
                cluster.set("k" + i, "v");
            }
        }
        try (Jedis j = lab.connect(lab.sentinelPrimary())) {
            j.set("s", "v");
        }
        lab.flushAll();
        for (HostPort hp : lab.clusterNodes()) {
            try (Jedis j = lab.connect(hp)) {
                assertThat(j.dbSize()).as("keys on %s", hp).isZero();
            }
        }
        try (Jedis j = lab.connect(lab.sentinelReplicas().get(0))) {
            assertThat(j.dbSize()).isZero();
        }
    }

    @Test
    void killRestartPauseResume() {
        LabNode replica = lab.node(lab.replicas().get(0));
        long oldPid = replica.pid();
        replica.kill();
        assertThat(replica.isAlive()).isFalse();
        assertThat(Procs.running(oldPid)).isFalse();
        assertThatThrownBy(() -> ping(replica, 300)).isInstanceOf(JedisConnectionException.class);

        replica.restart();
        assertThat(replica.isAlive()).isTrue();
        assertThat(replica.pid()).isNotEqualTo(oldPid);
        assertThat(ping(replica, 1000)).isEqualTo("PONG");
        lab.awaitClusterReady(); // rejoined from its nodes.conf as the same master's replica

        LabNode paused = lab.node(lab.sentinelReplicas().get(0));
        paused.pause();
        try {
            assertThat(paused.isAlive()).isTrue();
            assertThat(paused.isPaused()).isTrue();
            assertThatThrownBy(() -> ping(paused, 300)).isInstanceOf(JedisConnectionException.class);
        } finally {
            paused.resume();
        }
        assertThat(ping(paused, 1000)).isEqualTo("PONG");

        paused.stop(); // graceful: SIGTERM
        assertThat(paused.isAlive()).isFalse();
        assertThat(paused.logFile()).content().contains("ready to exit");
        paused.restart();
        try (Jedis j = paused.connect()) {
            // came back as a replica thanks to the rewritten redis.conf
            await().atMost(Duration.ofSeconds(10)).until(() -> j.info("replication").contains("master_link_status:up"));
        }
    }

    @Test
    void passwordLab() throws Exception {
        for (HostPort hp : List.of(pwLab.masters().get(0), pwLab.replicas().get(0), pwLab.sentinelPrimary())) {
            try (Jedis anon = new Jedis(hp.host(), hp.port())) {
                assertThatThrownBy(anon::ping).isInstanceOf(JedisDataException.class).hasMessageContaining("NOAUTH");
            }
            try (Jedis j = pwLab.connect(hp)) {
                assertThat(j.ping()).isEqualTo("PONG");
            }
        }
        assertThat(pwLab.spec().password()).isEqualTo("secret");
        assertThat(pwLab.spec().user()).isNull();
        for (HostPort hp : pwLab.clusterNodes()) {
            assertThat(cli(hp, List.of("-a", "secret", "--no-auth-warning"), "cluster", "info"))
                    .contains("cluster_state:ok", "cluster_slots_assigned:16384");
        }
        try (Jedis s = pwLab.connect(pwLab.sentinels().get(0))) {
            assertThat(s.sentinelMaster("mymaster")).containsEntry("flags", "master");
        }
    }

    @Test
    void aclUserLab() throws Exception {
        HostPort master = aclLab.masters().get(0);
        try (Jedis anon = new Jedis(master.host(), master.port())) {
            assertThatThrownBy(anon::ping).isInstanceOf(JedisDataException.class).hasMessageContaining("NOAUTH");
            assertThatThrownBy(() -> anon.auth("secret")).hasMessageContaining("WRONGPASS"); // default user is off
            assertThatThrownBy(() -> anon.auth("agent", "wrong")).hasMessageContaining("WRONGPASS");
            assertThat(anon.auth("agent", "secret")).isEqualTo("OK");
            assertThat(anon.ping()).isEqualTo("PONG");
        }
        for (HostPort hp : aclLab.clusterNodes()) {
            assertThat(cli(hp, List.of("--user", "agent", "--pass", "secret", "--no-auth-warning"), "cluster", "info"))
                    .contains("cluster_state:ok", "cluster_slots_assigned:16384");
        }
        HostPort sentinel = aclLab.sentinels().get(0);
        try (Jedis anon = new Jedis(sentinel.host(), sentinel.port())) {
            assertThatThrownBy(anon::ping).isInstanceOf(JedisDataException.class).hasMessageContaining("NOAUTH");
        }
        try (Jedis s = aclLab.connect(sentinel)) {
            assertThat(s.sentinelMaster("mymaster")).containsEntry("flags", "master");
            assertThat(s.sentinelReplicas("mymaster")).singleElement()
                    .satisfies(r -> assertThat(r).containsEntry("master-link-status", "ok"));
        }
    }

    @Test
    void closeLeavesNothing() {
        Path dir = closeLab.dir();
        List<Long> pids = closeLab.nodes().stream().map(LabNode::pid).toList();
        assertThat(pids).hasSize(6);
        assertThat(redisProcessesMentioning(dir)).hasSize(6);

        closeLab.close();

        assertThat(redisProcessesMentioning(dir)).isEmpty();
        assertThat(pids).allSatisfy(pid -> assertThat(Procs.running(pid)).isFalse());
        assertThat(dir).doesNotExist();
        closeLab.close(); // idempotent
    }

    @Test
    void missingBinaryFailsClearly() {
        LabSpec spec = LabSpec.builder().redisServer(Path.of("/nonexistent/redis-server")).build();
        assertThatThrownBy(() -> RedisLab.start(spec)).isInstanceOf(LabException.class)
                .hasMessageContaining("redis-server not found");
    }

    @Test
    void staleLabOfDeadJvmIsCleanedLiveOneIsNot() throws Exception {
        Path base = Files.createTempDirectory("cahoots-lab-stale-it");
        PortAllocator ports = new PortAllocator(LabSpec.DEFAULT_BASE_DIR.resolve("ports"), 20000, 32000);
        List<Process> started = new ArrayList<>();
        try (PortAllocator.Lease deadPort = ports.acquire(); PortAllocator.Lease livePort = ports.acquire()) {
            Process dead = new ProcessBuilder("true").start();
            dead.waitFor(5, TimeUnit.SECONDS);

            Path deadLab = base.resolve("lab-deadowner");
            Process stale = startRedis(deadLab, deadPort.port(), Long.toString(dead.pid()));
            started.add(stale);
            Path liveLab = base.resolve("lab-liveowner");
            Process live = startRedis(liveLab, livePort.port(), ProcessHandle.current().pid() + "");
            started.add(live);

            try (RedisLab other = RedisLab.start(LabSpec.builder().masters(0).spareNodes(1).baseDir(base).build())) {
                assertThat(other.spareNodes()).hasSize(1);
            }

            await().atMost(Duration.ofSeconds(5)).until(() -> !stale.isAlive());
            assertThat(deadLab).doesNotExist();
            assertThat(live.isAlive()).as("a lab owned by a live JVM is never touched").isTrue();
            assertThat(liveLab).exists();
        } finally {
            started.forEach(Process::destroyForcibly);
            LabJanitor.deleteTree(base);
        }
    }

    /** A redis-server as a crashed lab would have left it: node dir, redis.pid, owner.pid. */
    private static Process startRedis(Path labDir, int port, String ownerPid) throws Exception {
        Path nodeDir = labDir.resolve(Integer.toString(port));
        Files.createDirectories(nodeDir);
        Files.writeString(labDir.resolve("owner.pid"), ownerPid + "\n");
        Process p = new ProcessBuilder(REDIS_SERVER.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", nodeDir.toString())
                .directory(nodeDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(nodeDir.resolve("console.log").toFile())
                .start();
        Files.writeString(nodeDir.resolve("redis.pid"), Long.toString(p.pid()));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                return "PONG".equals(j.ping());
            }
        });
        return p;
    }

    private static String ping(LabNode n, int timeoutMillis) {
        try (Jedis j = n.connect(timeoutMillis)) {
            return j.ping();
        }
    }

    /** Runs the real redis-cli binary. */
    private static String cli(HostPort hp, List<String> auth, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(REDIS_CLI.toString(), "-h", hp.host(), "-p", Integer.toString(hp.port())));
        cmd.addAll(auth);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("redis-cli %s: %s", cmd, out).isZero();
        return out;
    }

    private static List<Long> redisProcessesMentioning(Path dir) {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .filter(pid -> {
                        String cmd = Procs.cmdline(pid);
                        return cmd.contains("redis-server") && cmd.contains(dir.toString());
                    })
                    .toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
