package io.cahoots.agent.archfixture.threads;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** ArchitectureTest's fixture: background work set up by hand, each way the rule on threads must catch. */
public class ByHand {
    public Thread thread(Runnable r) {
        return new Thread(r, "by-hand");
    }

    public ExecutorService pool() {
        return Executors.newFixedThreadPool(2);
    }

    public ExecutorService scheduler() {
        return new ScheduledThreadPoolExecutor(1);
    }
}
