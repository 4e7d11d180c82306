package io.cahoots.agent.lifecycle;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one way the agent runs periodic and background work: JDK executors on named daemon threads. Named, so a
 * thread dump says which part is busy; daemon, so nothing here ever holds the JVM up at shutdown (each owner still
 * stops its executor in its own shutdown hook). The Quarkus scheduler is not used: the agent's periods come from
 * settings validated at start-up and some tasks reschedule themselves, which plain executors express directly.
 */
public final class Background {

    private Background() {
    }

    /** One thread called {@code name} running tasks one at a time, delayed or periodic. */
    public static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(daemon(name));
    }

    /** One thread called {@code name} running tasks one at a time, in order. */
    public static ExecutorService single(String name) {
        return Executors.newSingleThreadExecutor(daemon(name));
    }

    /** {@code threads} threads called {@code name-1}, {@code name-2}, ... */
    public static ExecutorService pool(String name, int threads) {
        return Executors.newFixedThreadPool(threads, numbered(name));
    }

    /**
     * Threads called {@code name-1}, {@code name-2}, ... made when every one is busy and reused when free; one idle
     * for a minute ends. For tasks that block for long and whose number has no fixed bound (jobs, HTTP calls).
     */
    public static ExecutorService cached(String name) {
        return Executors.newCachedThreadPool(numbered(name));
    }

    /**
     * One daemon thread called {@code name} running {@code task}, not yet started: for a loop that owns its thread
     * for its whole life, such as a subscription's blocking read.
     */
    public static Thread thread(String name, Runnable task) {
        return daemon(name).newThread(task);
    }

    /** Runs {@code task} on a thread called {@code name} when the JVM exits (a shutdown hook). */
    public static void atExit(String name, Runnable task) {
        Runtime.getRuntime().addShutdownHook(new Thread(task, name));
    }

    /** Daemon threads all called {@code name}. */
    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Daemon threads called {@code name-1}, {@code name-2}, ... */
    private static ThreadFactory numbered(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
