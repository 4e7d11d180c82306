package io.cahoots.agent.archfixture.threads;

import io.cahoots.agent.lifecycle.Background;

import java.util.concurrent.ExecutorService;

/** ArchitectureTest's fixture: the same work through {@code lifecycle/Background}, which the rule on threads lets pass. */
public class ThroughBackground {
    public Thread thread(Runnable r) {
        return Background.thread("through-background", r);
    }

    public ExecutorService pool() {
        return Background.pool("through-background", 2);
    }
}
