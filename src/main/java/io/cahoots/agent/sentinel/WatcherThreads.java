package io.cahoots.agent.sentinel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The watcher's daemon threads, kept apart so that no kind of work can starve another: blocking Redis calls
 * ({@code io}), confirmations that wait for those calls ({@code confirm}), the poll schedule ({@code poll}) and the
 * subscription watchdog.
 */
final class WatcherThreads implements AutoCloseable {

    private final ExecutorService io = Executors.newFixedThreadPool(16, daemon("sentinel-io"));
    private final ExecutorService confirm = Executors.newFixedThreadPool(2, daemon("sentinel-confirm"));
    private final ScheduledExecutorService poll = Executors.newSingleThreadScheduledExecutor(daemon("sentinel-poll"));
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(daemon("sentinel-ping"));

    ExecutorService io() {
        return io;
    }

    ExecutorService confirm() {
        return confirm;
    }

    ScheduledExecutorService poll() {
        return poll;
    }

    ScheduledExecutorService watchdog() {
        return watchdog;
    }

    @Override
    public void close() {
        poll.shutdownNow();
        confirm.shutdownNow();
        watchdog.shutdownNow();
        io.shutdownNow();
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
