package io.cahoots.agent.sentinel;

import io.cahoots.agent.lifecycle.Background;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The watcher's daemon threads, kept apart so that no kind of work can starve another: blocking Redis calls
 * ({@code io}), confirmations that wait for those calls ({@code confirm}), the poll schedule ({@code poll}) and the
 * subscription watchdog.
 */
final class WatcherThreads implements AutoCloseable {

    private final ExecutorService io = Background.pool("sentinel-io", 16);
    private final ExecutorService confirm = Background.pool("sentinel-confirm", 2);
    private final ScheduledExecutorService poll = Background.scheduler("sentinel-poll");
    private final ScheduledExecutorService watchdog = Background.scheduler("sentinel-ping");

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
    }}
