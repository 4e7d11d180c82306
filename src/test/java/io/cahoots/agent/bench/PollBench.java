package io.cahoots.agent.bench;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.observe.ClusterObserver;
import io.cahoots.agent.redis.ClusterReader;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * How long one poll of every node takes (CLUSTER NODES + CLUSTER INFO + INFO per node, in parallel, over
 * pooled connections), on labs of 6 and 30 nodes, each holding 10,000 keys. Not a test: prints figures.
 */
public final class PollBench {

    public static void main(String[] args) {
        for (int masters : new int[]{3, 15}) {
            try (RedisLab lab = RedisLab.start(LabSpec.builder().masters(masters).replicasPerMaster(1).build());
                 RedisConnections connections = new RedisConnections(Credentials.NONE, Credentials.NONE, false, Duration.ofSeconds(1))) {
                Load.fill(lab, 10_000, 100);
                ExecutorService executor = Executors.newFixedThreadPool(32);
                ClusterObserver observer = new ClusterObserver(List.of(lab.masters().get(0)),
                        new ClusterReader(connections)::read, Duration.ofSeconds(1), Clock.systemUTC(), executor);
                for (int i = 0; i < 20; i++) {
                    observer.poll();
                }
                int rounds = 200;
                long[] micros = new long[rounds];
                ClusterSnapshot last = null;
                for (int i = 0; i < rounds; i++) {
                    long t0 = System.nanoTime();
                    last = observer.poll();
                    micros[i] = (System.nanoTime() - t0) / 1000;
                }
                executor.shutdownNow();
                Arrays.sort(micros);
                System.out.printf("poll of %d nodes (check ok=%s): p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d polls%n",
                        last.nodes().size(), last.check().ok(), micros[rounds / 2] / 1000.0,
                        micros[(int) (rounds * 0.99)] / 1000.0, micros[rounds - 1] / 1000.0, rounds);
            }
        }
    }
}
