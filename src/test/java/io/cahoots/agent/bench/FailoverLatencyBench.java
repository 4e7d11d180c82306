package io.cahoots.agent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import io.cahoots.agent.testing.PushAgent;
import io.cahoots.agent.testing.PushChannelListener;
import io.cahoots.agent.testing.SseClient;
import io.cahoots.agent.testing.WebhookReceiver;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSentinelPool;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * How long after Sentinel announces a failover do applications learn of it? Not a test: run it with
 * {@code bench/failover-latency.sh [failovers]} (default 20).
 *
 * <ol>
 *   <li>Starts a lab (a primary, two replicas, three Sentinels; down-after 1s), the packaged agent watching it with a
 *       webhook to an in-process receiver, an SSE reader, an auto-resubscribing pub/sub listener on every node, the
 *       benchmark's own {@code PSUBSCRIBE +switch-master} on every Sentinel, {@code redis-cli psubscribe} on every
 *       Sentinel (the reference), a Redisson client in its default sentinel configuration and a default
 *       JedisSentinelPool, each appending one entry per millisecond ({@link WriteProbe}).</li>
 *   <li>Per failover: waits until the group is settled -- which includes Sentinel re-pointing the old master, some 10s
 *       after the switch (it lets a demoted master report its role for 8s first) -- sends {@code SENTINEL FAILOVER} (Sentinels taking turns), takes
 *       t0 = the first {@code +switch-master} any of the benchmark's subscriptions received, and measures from t0 until
 *       the first redis-cli line, SSE event, webhook POST and pub/sub message naming the new master, and until each
 *       client's first append acknowledged by the new master. All clocks are this JVM's {@link System#nanoTime()}.</li>
 *   <li>Prints p50 / p99 (nearest rank: with 20 samples, the maximum) / max per channel.</li>
 * </ol>
 */
public final class FailoverLatencyBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHANNEL = "cahoots:topology";
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Strong references: JUL forgets the level of a logger nobody holds. */
    private static final List<Logger> QUIET = new ArrayList<>();

    private FailoverLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int failovers = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        for (String noisy : List.of("org.redisson", "io.netty", "redis.clients")) {
            Logger l = Logger.getLogger(noisy);
            l.setLevel(Level.WARNING);
            QUIET.add(l);
        }
        long started = System.nanoTime();
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(0).sentinelGroup(true).sentinelReplicas(2).sentinels(3)
                .sentinelFailoverTimeoutMillis(3000).build());
             WebhookReceiver receiver = WebhookReceiver.start();
             SwitchWatch switches = new SwitchWatch(lab.sentinels());
             RedisCliWatch cli = new RedisCliWatch(lab.sentinels());
             AgentProcess agent = AgentProcess.start(Map.of(
                     "AGENT_SENTINEL_NODES", join(lab.sentinels()),
                     "AGENT_PUSH_WEBHOOKS", receiver.uri("/topology").toString(),
                     "AGENT_PUSH_WEBHOOK_SECRET", "bench-secret-0123456789"))) {
            agent.awaitHttp(Duration.ofSeconds(60));
            await("agent ready", () -> agent.get("/q/health/ready").statusCode() == 200);
            List<HostPort> nodes = new ArrayList<>(lab.sentinelReplicas());
            nodes.add(0, lab.sentinelPrimary());
            List<PushChannelListener> listeners = new ArrayList<>();
            for (HostPort n : nodes) {
                listeners.add(PushChannelListener.subscribe(n, CHANNEL));
            }
            Config config = new Config();
            config.useSentinelServers().setMasterName("mymaster")
                    .addSentinelAddress(lab.sentinels().stream().map(s -> "redis://" + s).toArray(String[]::new));
            RedissonClient redisson = Redisson.create(config);
            JedisSentinelPool pool = new JedisSentinelPool("mymaster",
                    lab.sentinels().stream().map(HostPort::toString).collect(Collectors.toSet()));
            try (SseClient sse = PushAgent.stream(agent);
                 WriteProbe redissonProbe = new WriteProbe("redisson", (k, v) ->
                         redisson.getList(k, StringCodec.INSTANCE).add(Long.toString(v)));
                 WriteProbe jedisProbe = new WriteProbe("jedis", (k, v) -> {
                     try (Jedis j = pool.getResource()) {
                         j.rpush(k, Long.toString(v));
                     }
                 })) {
                redissonProbe.start();
                jedisProbe.start();
                System.out.printf("lab and agent ready in %d ms; %d failovers follow%n",
                        (System.nanoTime() - started) / 1_000_000, failovers);
                Run run = new Run(lab, sse, receiver, listeners, switches, cli, List.of(redissonProbe, jedisProbe));
                int done = 0;
                for (int attempt = 0; done < failovers && attempt < 2 * failovers; attempt++) {
                    if (run.failover(done)) {
                        done++;
                    }
                }
                run.print(done);
                printAgentSide(agent.output());
            } finally {
                redisson.shutdown();
                pool.close();
                listeners.forEach(PushChannelListener::close);
            }
        }
        System.exit(0); // Redisson's and the lab's non-daemon threads would keep the JVM alive a little longer
    }

    /** One benchmark run: the channels, the probes and the statistics. */
    private record Run(RedisLab lab, SseClient sse, WebhookReceiver receiver, List<PushChannelListener> listeners,
                       SwitchWatch switches, RedisCliWatch cli, List<WriteProbe> probes, Map<String, LatencyStats> stats,
                       LatencyStats command) {

        Run(RedisLab lab, SseClient sse, WebhookReceiver receiver, List<PushChannelListener> listeners, SwitchWatch switches,
            RedisCliWatch cli, List<WriteProbe> probes) {
            this(lab, sse, receiver, listeners, switches, cli, probes, new java.util.LinkedHashMap<>(),
                    new LatencyStats("SENTINEL FAILOVER command -> first +switch-master (for context)"));
            stats.put("cli", new LatencyStats("redis-cli psubscribe +switch-master (reference)"));
            stats.put("sse", new LatencyStats("agent: SSE event (GET /api/v1/topology/stream)"));
            stats.put("webhook", new LatencyStats("agent: webhook POST received"));
            stats.put("pubsub", new LatencyStats("agent: pub/sub message on " + CHANNEL));
            stats.put("redisson", new LatencyStats("Redisson 3.52, default config: first write on the new master"));
            stats.put("jedis", new LatencyStats("JedisSentinelPool 7.1, defaults: first write on the new master"));
        }

        /** One measured failover; false when Sentinel did not switch (e.g. it aborted the failover), so nothing was measured. */
        boolean failover(int i) throws Exception {
            HostPort old = settledMaster();
            probes.forEach(p -> p.round(i));
            Thread.sleep(200); // appends of this round reach the old master first
            long t = failoverCommand(i);
            SwitchWatch.Switch sw = switches.awaitAfter(t, old, WAIT);
            if (sw == null) {
                System.out.printf("failover %2d: SENTINEL FAILOVER accepted but no +switch-master within %ds; not counted%n",
                        i + 1, WAIT.toSeconds());
                return false;
            }
            HostPort now = sw.to();
            long t0 = sw.nanos();
            command.add(ms(t0 - t));
            String master = now.toString();
            record("cli", t0, () -> cli.firstAfter(t, master));
            record("sse", t0, () -> sse.events().stream().filter(e -> master.equals(sentinelMaster(e.data())))
                    .mapToLong(SseClient.Event::arrivedNanos).filter(n -> n > t).min().orElse(-1));
            record("webhook", t0, () -> receiver.deliveries().stream().filter(d -> master.equals(sentinelMaster(d.text())))
                    .mapToLong(WebhookReceiver.Delivery::arrivedNanos).filter(n -> n > t).min().orElse(-1));
            record("pubsub", t0, () -> listeners.stream().flatMap(l -> l.messages().stream())
                    .filter(m -> master.equals(sentinelMaster(m.text())))
                    .mapToLong(PushChannelListener.Message::arrivedNanos).filter(n -> n > t).min().orElse(-1));
            for (WriteProbe p : probes) {
                String name = p.key(0).split(":")[1];
                record(name, t0, () -> {
                    try (Jedis j = lab.connect(now)) {
                        return p.firstAckOnNewMaster(j.lrange(p.key(i), 0, -1), t0);
                    }
                });
            }
            System.out.printf("failover %2d: %s -> %s, +switch-master after %4.0f ms; SSE %6.1f, webhook %6.1f, pub/sub %6.1f,"
                            + " Redisson %7.1f, Jedis %7.1f ms%n", i + 1, old, now, ms(t0 - t), last("sse"), last("webhook"),
                    last("pubsub"), last("redisson"), last("jedis"));
            return true;
        }

        /** SENTINEL FAILOVER through the Sentinels in turn; NOGOODSLAVE / INPROG are retried for up to 30s. */
        private long failoverCommand(int i) throws InterruptedException {
            HostPort via = lab.sentinels().get(i % lab.sentinels().size());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try (Jedis s = lab.connect(via)) {
                    long t = System.nanoTime();
                    s.sentinelFailover("mymaster");
                    return t;
                } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
        }

        private void record(String channel, long t0, LongSupplier arrival) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            long at;
            while ((at = arrival.getAsLong()) < 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            if (at < 0) {
                stats.get(channel).miss();
                lastValues.put(channel, Double.NaN);
            } else {
                stats.get(channel).add(ms(at - t0));
                lastValues.put(channel, ms(at - t0));
            }
        }

        private double last(String channel) {
            return lastValues.getOrDefault(channel, Double.NaN);
        }

        /**
         * Waits until every Sentinel names the same master and no failover runs, every other node of the group is its
         * connected replica (ROLE), and the Sentinels see at least one good replica, so SENTINEL FAILOVER can start.
         */
        private HostPort settledMaster() throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<HostPort> group = new ArrayList<>(lab.sentinelReplicas());
            group.add(lab.sentinelPrimary());
            while (System.nanoTime() < deadline) {
                Set<String> named = new HashSet<>();
                boolean calm = true;
                for (HostPort s : lab.sentinels()) {
                    try (Jedis j = lab.connect(s)) {
                        Map<String, String> m = j.sentinelMaster("mymaster");
                        named.add(m.get("ip") + ":" + m.get("port"));
                        calm &= m.get("flags").equals("master");
                        String named0 = m.get("ip") + ":" + m.get("port");
                        // Every replica as this Sentinel last saw it: a replica, linked, following the named master.
                        // Failing over while a Sentinel still has the demoted master's old INFO can make it announce
                        // a node that is not a master (the agent then refuses to believe it).
                        calm &= j.sentinelReplicas("mymaster").stream().allMatch(r -> r.get("flags").equals("slave")
                                && "slave".equals(r.get("role-reported")) && "ok".equals(r.get("master-link-status"))
                                && named0.equals(r.get("master-host") + ":" + r.get("master-port")));
                    }
                }
                if (named.size() == 1 && calm) {
                    HostPort master = HostPort.parse(named.iterator().next());
                    boolean following = group.stream().allMatch(n -> {
                        try (Jedis j = lab.connect(n)) {
                            List<Object> role = j.role();
                            return n.equals(master) ? "master".equals(role.get(0))
                                    : "slave".equals(role.get(0)) && master.equals(new HostPort((String) role.get(1),
                                    ((Number) role.get(2)).intValue())) && "connected".equals(role.get(3));
                        }
                    });
                    if (following) {
                        return master;
                    }
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("the Sentinel group did not settle within 60s");
        }

        void print(int failovers) {
            System.out.println();
            System.out.printf("Failover latency over %d SENTINEL FAILOVERs (1 primary + 2 replicas + 3 Sentinels on loopback,"
                    + " agent with default settings)%n", failovers);
            System.out.println("measured from the first +switch-master received by the benchmark's own Sentinel subscriptions");
            System.out.println(LatencyStats.header());
            stats.values().forEach(s -> System.out.println(s.row()));
            System.out.println(command.row());
        }

        private static final Map<String, Double> lastValues = new java.util.concurrent.ConcurrentHashMap<>();
    }

    /** What the agent logged about each switch: found through an event or a poll, and how long confirming took. */
    private static void printAgentSide(String log) {
        List<String> switches = log.lines().filter(l -> l.contains("Sentinel master mymaster switched")).toList();
        LatencyStats confirm = new LatencyStats("agent: confirming a +switch-master (ROLE + Sentinel majority)");
        java.util.regex.Pattern took = java.util.regex.Pattern.compile("confirmed in (\\d+)ms");
        long byEvent = 0;
        for (String l : switches) {
            java.util.regex.Matcher m = took.matcher(l);
            if (m.find()) {
                byEvent++;
                confirm.add(Double.parseDouble(m.group(1)));
            }
        }
        System.out.println(confirm.row());
        System.out.printf("  the agent applied %d switches: %d from a +switch-master, %d found by its poll first;"
                + " it refused %d announced switches%n", switches.size(), byEvent, switches.size() - byEvent,
                log.lines().filter(l -> l.contains("ignored +switch-master")).count());
    }

    static String sentinelMaster(String json) {
        try {
            JsonNode n = JSON.readTree(json).path("sentinel").path("masters").path("mymaster").path("master");
            return n.isMissingNode() ? null : n.asText();
        } catch (IOException e) {
            return null;
        }
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    private static String join(List<HostPort> nodes) {
        return nodes.stream().map(HostPort::toString).collect(Collectors.joining(","));
    }

    private static void await(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " not reached within 30s");
            }
            Thread.sleep(50);
        }
    }
}
