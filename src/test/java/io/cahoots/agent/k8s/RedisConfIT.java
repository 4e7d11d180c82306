package io.cahoots.agent.k8s;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.InfoReply;
import io.cahoots.agent.config.PolicySettings;
import io.cahoots.agent.testing.Polling;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code redis-conf/} run by the real {@code redis-server}: the cluster config as-is (only port, bus port and bind
 * overridden on the command line, in a scratch working directory), and a Sentinel from a copy of {@code sentinel.conf}
 * whose monitor line points at a test primary on loopback.
 */
class RedisConfIT {

    @Test
    void redisServerRunsTheClusterConfigWithTheCachingStrategy() throws Exception {
        try (KitProcesses kit = new KitProcesses()) {
            int port = kit.port();
            int bus = kit.port();
            Path work = kit.scratch("node");
            kit.start(work, Map.of(), List.of("redis-server", RedisConf.CLUSTER.toAbsolutePath().toString(),
                    "--port", Integer.toString(port), "--cluster-port", Integer.toString(bus), "--bind", "127.0.0.1"));
            HostPort node = new HostPort("127.0.0.1", port);
            KitProcesses.awaitPing(node, null, Duration.ofSeconds(10));
            try (Jedis j = KitProcesses.connect(node, null)) {
                RedisConf conf = RedisConf.read(RedisConf.CLUSTER);
                assertThat(j.configGet("maxmemory")).containsEntry("maxmemory",
                        Long.toString(PolicySettings.parseMemory(conf.value("maxmemory"))));
                assertThat(j.configGet("maxmemory").get("maxmemory")).isEqualTo("2147483648");
                assertThat(j.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "allkeys-lru");
                assertThat(j.configGet("cluster-node-timeout")).containsEntry("cluster-node-timeout", "5000");
                assertThat(j.configGet("cluster-config-file")).containsEntry("cluster-config-file", "nodes.conf");
                assertThat(j.configGet("appendonly")).containsEntry("appendonly", "yes");
                assertThat(j.configGet("appendfsync")).containsEntry("appendfsync", "everysec");
                assertThat(j.configGet("save")).containsEntry("save", "");
                assertThat(j.configGet("lazyfree-lazy-eviction")).containsEntry("lazyfree-lazy-eviction", "yes");
                assertThat(j.configGet("protected-mode")).containsEntry("protected-mode", "yes");
                assertThat(j.configGet("dir").get("dir")).isEqualTo(work.toRealPath().toString());
                assertThat(InfoReply.parse(j.info("cluster")).get("cluster_enabled")).contains("1");

                // The policy in action: at the limit, allkeys-lru evicts instead of refusing writes (noeviction would).
                // A one-node cluster owning every slot, so the node accepts keys.
                j.sendCommand(redis.clients.jedis.Protocol.Command.CLUSTER, "ADDSLOTSRANGE", "0", "16383");
                Polling.until(Duration.ofSeconds(10), Duration.ofMillis(50),
                        () -> InfoReply.parse(j.clusterInfo()).get("cluster_state").orElse("").equals("ok"),
                        () -> "[cluster_state ok] not ok within 10 s");
                j.configSet("maxmemory", "4mb");
                byte[] value = new byte[10_000];
                for (int i = 0; i < 2_000; i++) {
                    j.set(("api:cache:" + i).getBytes(), value);
                }
                InfoReply stats = InfoReply.parse(j.info("stats"));
                assertThat(stats.getLong("evicted_keys", 0)).isPositive();
                assertThat(j.dbSize()).isLessThan(2_000);
            }
            // nodes.conf and the AOF go to the working directory, the pod's volume in k8s.
            assertThat(work.resolve("nodes.conf")).exists();
            assertThat(work.resolve("appendonlydir")).isDirectory();
        }
    }

    @Test
    void sentinelRunsTheSentinelConfigAgainstAPrimaryOnLoopback() throws Exception {
        try (KitProcesses kit = new KitProcesses()) {
            int primaryPort = kit.port();
            int sentinelPort = kit.port();
            // The Sentinel group's data node: the cluster config without cluster mode, as k8s/redis-sentinel.yaml runs it.
            kit.start(kit.scratch("primary"), Map.of(), List.of("redis-server", RedisConf.CLUSTER.toAbsolutePath().toString(),
                    "--port", Integer.toString(primaryPort), "--bind", "127.0.0.1", "--cluster-enabled", "no"));
            HostPort primary = new HostPort("127.0.0.1", primaryPort);
            KitProcesses.awaitPing(primary, null, Duration.ofSeconds(10));

            // A writable copy (Sentinel rewrites its file) with the monitored master on loopback: one line differs.
            Path work = kit.scratch("sentinel");
            List<String> original = Files.readAllLines(RedisConf.SENTINEL);
            List<String> copy = new ArrayList<>();
            for (String l : original) {
                copy.add(l.startsWith("sentinel monitor mymaster redis-master 6379 ")
                        ? l.replace("redis-master 6379", "127.0.0.1 " + primaryPort) : l);
            }
            assertThat(copy.stream().filter(l -> !original.contains(l))).hasSize(1);
            Path conf = Files.write(work.resolve("sentinel.conf"), copy);
            kit.start(work, Map.of(), List.of("redis-server", conf.toString(), "--sentinel",
                    "--port", Integer.toString(sentinelPort), "--bind", "127.0.0.1"));
            HostPort sentinel = new HostPort("127.0.0.1", sentinelPort);
            KitProcesses.awaitPing(sentinel, null, Duration.ofSeconds(10));
            try (Jedis j = KitProcesses.connect(sentinel, null)) {
                Map<String, String> m = j.sentinelMaster("mymaster");
                assertThat(m).containsEntry("ip", "127.0.0.1").containsEntry("port", Integer.toString(primaryPort))
                        .containsEntry("quorum", "2").containsEntry("down-after-milliseconds", "5000")
                        .containsEntry("failover-timeout", "60000").containsEntry("parallel-syncs", "1");
                assertThat(m.get("flags")).isEqualTo("master");
                assertThat(j.sentinelGetMasterAddrByName("mymaster")).containsExactly("127.0.0.1", Integer.toString(primaryPort));
                // Names instead of IPs for pods that restart with a new address.
                Object resolve = j.sendCommand(redis.clients.jedis.Protocol.Command.SENTINEL, "CONFIG", "GET", "resolve-hostnames");
                assertThat(redis.clients.jedis.BuilderFactory.STRING_LIST.build(resolve)).containsExactly("resolve-hostnames", "yes");
            }
            // Sentinel persisted what it learned into its (writable) copy.
            assertThat(Files.readString(conf)).contains("sentinel myid");
        }
    }
}
