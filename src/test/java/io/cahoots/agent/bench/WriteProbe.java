package io.cahoots.agent.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Measures when a client starts writing to a new master, whatever the client does internally.
 *
 * <ol>
 *   <li>A thread appends increasing sequence numbers ({@code RPUSH bench:<client>:<round> <seq>}) through the client,
 *       about one per millisecond, and records when each append was acknowledged.</li>
 *   <li>After a failover, the list on the new master holds exactly the appends that the new master executed: appends
 *       the old master acknowledged after the switch are not there (it no longer replicates to the new master, and its
 *       own copy is thrown away when Sentinel re-points it).</li>
 *   <li>The client "uses the new master" at the first acknowledgement of an append that the new master holds and that was
 *       acknowledged after the switch.</li>
 * </ol>
 */
final class WriteProbe implements AutoCloseable {

    private final String name;
    private final BiConsumer<String, Long> rpush;
    private final long[] ackNanos = new long[1 << 22];
    private final Thread thread;
    private volatile int round;
    private volatile boolean closed;
    private volatile long seq;

    WriteProbe(String name, BiConsumer<String, Long> rpush) {
        this.name = name;
        this.rpush = rpush;
        Arrays.fill(ackNanos, -1);
        this.thread = new Thread(this::run, "probe-" + name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    String key(int r) {
        return "bench:" + name + ":" + r;
    }

    void round(int r) {
        round = r;
    }

    private void run() {
        while (!closed && seq < ackNanos.length) {
            long s = seq++;
            try {
                rpush.accept(key(round), s);
                ackNanos[(int) s] = System.nanoTime();
            } catch (RuntimeException e) {
                // the client's own errors during the failover: that append simply does not count
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The first ack after {@code switchNanos} of an append present on the new master, or -1 if none yet. */
    long firstAckOnNewMaster(List<String> onNewMaster, long switchNanos) {
        long first = Long.MAX_VALUE;
        for (String v : onNewMaster) {
            long ack = ackNanos[Integer.parseInt(v)];
            if (ack >= switchNanos && ack < first) {
                first = ack;
            }
        }
        return first == Long.MAX_VALUE ? -1 : first;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
