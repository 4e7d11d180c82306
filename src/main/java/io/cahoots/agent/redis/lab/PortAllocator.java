package io.cahoots.agent.redis.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out loopback ports that no other lab (in this JVM or another one) and no other program is using.
 *
 * <ol>
 *   <li>Start at a random port of the range so concurrent JVMs rarely probe the same ports.</li>
 *   <li>Skip 6379/16379 and ports this JVM already holds (a JVM cannot lock a file twice).</li>
 *   <li>{@code tryLock} {@code <lockDir>/<port>.lock}; the lock is what keeps other JVMs away for the lab's lifetime.
 *       The OS drops it when the JVM dies, so a crashed lab never blocks ports forever.</li>
 *   <li>Bind 127.0.0.1:port without SO_REUSEADDR to see that nobody listens (or lingers) there.</li>
 *   <li>Return a {@link Lease}; redis-server may still lose a race for the port, the caller then retries.</li>
 * </ol>
 * Lock files are never deleted: deleting a file another JVM has just opened would let two JVMs lock different inodes
 * of the "same" file.
 */
final class PortAllocator {

    private static final Set<Integer> HELD_IN_JVM = ConcurrentHashMap.newKeySet();
    private static final Set<Integer> FORBIDDEN = Set.of(6379, 16379);

    private final Path lockDir;
    private final int start;
    private final int end;

    PortAllocator(Path lockDir, int start, int end) {
        this.lockDir = lockDir;
        this.start = start;
        this.end = end;
    }

    /** A port reserved for this JVM until {@link #close()}. */
    static final class Lease implements AutoCloseable {
        private final int port;
        private final FileChannel channel;
        private final FileLock lock;

        private Lease(int port, FileChannel channel, FileLock lock) {
            this.port = port;
            this.channel = channel;
            this.lock = lock;
        }

        int port() {
            return port;
        }

        @Override
        public void close() {
            try {
                lock.release();
            } catch (IOException | RuntimeException ignored) {
                // channel close below releases it anyway
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
            HELD_IN_JVM.remove(port);
        }
    }

    Lease acquire() {
        try {
            Files.createDirectories(lockDir);
        } catch (IOException e) {
            throw new LabException("cannot create port lock dir " + lockDir + ": " + e, e);
        }
        int size = end - start;
        int offset = ThreadLocalRandom.current().nextInt(size);
        for (int i = 0; i < size; i++) {
            int port = start + (offset + i) % size;
            if (FORBIDDEN.contains(port) || !HELD_IN_JVM.add(port)) {
                continue;
            }
            Lease lease = tryLease(port);
            if (lease != null) {
                return lease;
            }
            HELD_IN_JVM.remove(port);
        }
        throw new LabException("no free port in " + start + "-" + (end - 1) + " (locks in " + lockDir + ")");
    }

    private Lease tryLease(int port) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockDir.resolve(port + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return null;
            }
            if (!bindable(port)) {
                lock.release();
                channel.close();
                return null;
            }
            return new Lease(port, channel, lock);
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(channel);
            return null;
        }
    }

    static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
