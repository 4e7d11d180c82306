package io.cahoots.agent.bench;

import io.cahoots.agent.testing.AgentProcess;

import java.time.Duration;
import java.util.Map;

/**
 * Start-up of the packaged agent with {@code AGENT_LAB=true} (which includes starting the lab's 10
 * redis-server processes), time to readiness UP, and resident memory after 10 s of watching. Five runs.
 */
public final class StartupBench {

    public static void main(String[] args) throws Exception {
        for (String heap : new String[]{"", "-Xmx64m"}) {
            for (int run = 0; run < 3; run++) {
                AgentProcess agent = heap.isEmpty() ? AgentProcess.start(Map.of("AGENT_LAB", "true"))
                        : AgentProcess.start(Map.of("AGENT_LAB", "true"), heap);
                try {
                    agent.awaitHttp(Duration.ofSeconds(60));
                    while (agent.get("/q/health/ready").statusCode() != 200) {
                        Thread.sleep(20);
                    }
                    long ready = agent.sinceStart().toMillis();
                    String line = agent.output().lines().filter(l -> l.contains("lab ready in")).findFirst().orElse("");
                    Thread.sleep(10_000);
                    System.out.printf("run %d %s: ready after %d ms (%s); RSS after 10 s watching: %d MiB%n", run + 1,
                            heap.isEmpty() ? "default heap" : heap, ready, line.replaceAll(".*(lab ready in \\d+ ms).*", "$1"),
                            agent.rssKib() / 1024);
                } finally {
                    agent.close();
                }
            }
        }
    }
}
