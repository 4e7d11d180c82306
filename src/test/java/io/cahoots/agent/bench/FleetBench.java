package io.cahoots.agent.bench;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.testing.AgentProcess;
import io.cahoots.agent.testing.PushAgent;
import io.cahoots.agent.testing.SseClient;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Redis load of a fleet: commands per second that 1 and 3 packaged agents cause on a 3x1 cluster with a Sentinel group
 * (the sum of {@code total_commands_processed} over every data node, measured from outside with INFO, minus the
 * measurement's own commands), and the delay from a {@code SENTINEL FAILOVER} to the event on each sidecar's stream.
 * Usage: {@code bench/fleet.sh [seconds per measurement, default 30]}.
 */
public final class FleetBench {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(1).sentinelGroup(true)
                .sentinelReplicas(1).sentinels(3).build())) {
            Load.fill(lab, 10_000, 50);
            List<HostPort> dataNodes = Stream.concat(lab.clusterNodes().stream(),
                    Stream.concat(Stream.of(lab.sentinelPrimary()), lab.sentinelReplicas().stream())).toList();
            Map<String, String> env = Map.of(
                    "AGENT_CLUSTER_NODES", lab.masters().stream().map(HostPort::toString).collect(Collectors.joining(",")),
                    "AGENT_SENTINEL_NODES", lab.sentinels().stream().map(HostPort::toString).collect(Collectors.joining(",")));
            double idle = rate(lab, dataNodes, seconds);
            double one;
            try (AgentProcess a = AgentProcess.start(env)) {
                a.awaitHttp(Duration.ofSeconds(90));
                Thread.sleep(10_000); // past start-up's one-off reads
                one = rate(lab, dataNodes, seconds) - idle;
            }
            Thread.sleep(12_000); // the leader's lease and the members' entries expire
            List<AgentProcess> three = new ArrayList<>();
            double fleet;
            try {
                for (int i = 0; i < 3; i++) {
                    three.add(AgentProcess.start(env));
                }
                for (AgentProcess a : three) {
                    a.awaitHttp(Duration.ofSeconds(90));
                }
                Thread.sleep(10_000);
                fleet = rate(lab, dataNodes, seconds) - idle;
                failoverDelays(lab, three);
            } finally {
                for (AgentProcess a : three) {
                    a.close();
                }
            }
            System.out.printf("%nFIGURE Redis commands/s on %d data nodes (3x1 cluster + Sentinel primary and replica), "
                    + "default settings, %d s each:%n", dataNodes.size(), seconds);
            System.out.printf("| agents | commands/s | ratio to one |%n|---|---|---|%n");
            System.out.printf("| none (measurement only) | %.1f | - |%n", idle);
            System.out.printf("| 1 | %.1f | 1.00 |%n", one);
            System.out.printf("| 3 | %.1f | %.2f |%n", fleet, fleet / one);
        }
    }

    /** Commands per second over all nodes, from INFO's counters read at the start and end of the window. */
    private static double rate(RedisLab lab, List<HostPort> nodes, int seconds) throws InterruptedException {
        long before = total(lab, nodes);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long after = total(lab, nodes);
        return (after - before) / ((System.nanoTime() - t0) / 1e9);
    }

    private static long total(RedisLab lab, List<HostPort> nodes) {
        long sum = 0;
        for (HostPort n : nodes) {
            try (Jedis j = lab.connect(n)) {
                for (String line : j.info("stats").split("\r\n")) {
                    if (line.startsWith("total_commands_processed:")) {
                        sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            }
        }
        return sum;
    }

    /** Three Sentinel failovers; the delay to the first event naming the new master on each sidecar's stream. */
    private static void failoverDelays(RedisLab lab, List<AgentProcess> agents) throws Exception {
        System.out.println("FIGURE SENTINEL FAILOVER to the stream event, per sidecar (ms):");
        for (int round = 0; round < 3; round++) {
            List<SseClient> streams = new ArrayList<>();
            for (AgentProcess a : agents) {
                streams.add(PushAgent.stream(a));
            }
            long[] firsts = new long[agents.size()];
            for (int i = 0; i < streams.size(); i++) {
                firsts[i] = Long.parseLong(streams.get(i).await(e -> true, Duration.ofSeconds(10)).id());
            }
            long t0 = System.nanoTime();
            try (Jedis s = lab.connect(lab.sentinels().get(0))) {
                s.sentinelFailover("mymaster");
            }
            StringBuilder row = new StringBuilder("  round " + (round + 1) + ":");
            for (int i = 0; i < streams.size(); i++) {
                long first = firsts[i];
                SseClient.Event e = streams.get(i).await(ev -> Long.parseLong(ev.id()) > first
                        && ev.data().contains("\"cause\":\"failover\""), Duration.ofSeconds(30));
                row.append(String.format(" sidecar %d %d ms;", i + 1, (e.arrivedNanos() - t0) / 1_000_000));
            }
            System.out.println(row);
            streams.forEach(SseClient::close);
            Thread.sleep(15_000); // the Sentinels settle and learn the demoted primary as a replica
        }
    }
}
