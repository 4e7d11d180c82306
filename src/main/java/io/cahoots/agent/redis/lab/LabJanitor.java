package io.cahoots.agent.redis.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Removes what labs of dead JVMs left behind (a {@code kill -9} of the JVM skips the shutdown hook).
 * <ol>
 *   <li>Look only at {@code <baseDir>/lab-*} directories: never at anything we did not create.</li>
 *   <li>Read {@code owner.pid} ("pid [startMillis]"). The owner is alive when a process with that pid exists and,
 *       if a start time was recorded, started at that time (pids are reused). Live owners' labs are never touched.
 *       A dir without owner.pid is only stale after a minute (its lab may be writing it right now).</li>
 *   <li>For each node dir, SIGKILL the pid in {@code redis.pid} only if /proc shows a redis-server whose command line
 *       names that dir or whose working dir is that dir.</li>
 *   <li>Also SIGKILL any other redis-server whose working dir or command line lies inside the lab dir (covers a JVM
 *       killed between spawning a node and writing redis.pid).</li>
 *   <li>Delete the lab dir -- except a dir its lab closed with logs kept (marker file {@code KEPT}; its processes are
 *       already gone): that one stays for a day so a failed run can still be inspected after the next start.</li>
 * </ol>
 */
final class LabJanitor {

    static final String OWNER_FILE = "owner.pid";
    static final String KEPT_FILE = "KEPT";
    private static final Duration ORPHAN_DIR_AGE = Duration.ofMinutes(1);
    private static final Duration KEPT_RETENTION = Duration.ofDays(1);

    private LabJanitor() {
    }

    /** Writes owner.pid for the current JVM. */
    static void writeOwner(Path labDir) throws IOException {
        ProcessHandle me = ProcessHandle.current();
        long start = me.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        Files.writeString(labDir.resolve(OWNER_FILE), me.pid() + " " + start + "\n");
    }

    /** Cleans every stale lab under baseDir; returns the lab dirs removed. */
    static List<Path> sweep(Path baseDir) {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(baseDir)) {
            return removed;
        }
        List<Path> labs;
        try (Stream<Path> s = Files.list(baseDir)) {
            labs = s.filter(p -> p.getFileName().toString().startsWith("lab-") && Files.isDirectory(p)).toList();
        } catch (IOException e) {
            return removed;
        }
        for (Path lab : labs) {
            try {
                Path kept = lab.resolve(KEPT_FILE);
                if (Files.exists(kept)) {
                    if (olderThan(kept, KEPT_RETENTION)) {
                        deleteTree(lab);
                        removed.add(lab);
                    }
                } else if (isStale(lab)) {
                    clean(lab);
                    removed.add(lab);
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("redis lab janitor: could not clean " + lab + ": " + e);
            }
        }
        return removed;
    }

    private static boolean isStale(Path lab) throws IOException {
        Path owner = lab.resolve(OWNER_FILE);
        if (!Files.exists(owner)) {
            return olderThan(lab, ORPHAN_DIR_AGE);
        }
        String[] f = Files.readString(owner).trim().split("\\s+");
        long pid;
        try {
            pid = Long.parseLong(f[0]);
        } catch (NumberFormatException e) {
            return true;
        }
        long recordedStart = f.length > 1 ? parseOrZero(f[1]) : 0;
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive() || !Procs.running(pid)) {
            return true;
        }
        if (recordedStart == 0) {
            return false;
        }
        long actualStart = h.get().info().startInstant().map(Instant::toEpochMilli).orElse(recordedStart);
        return Math.abs(actualStart - recordedStart) > 1000; // pid reused by another process
    }

    private static void clean(Path lab) throws IOException {
        Path real = lab.toRealPath();
        List<Path> nodeDirs;
        try (Stream<Path> s = Files.list(real)) {
            nodeDirs = s.filter(Files::isDirectory).toList();
        }
        for (Path nodeDir : nodeDirs) {
            Path pidFile = nodeDir.resolve(LabNode.PID_FILE);
            if (!Files.exists(pidFile)) {
                continue;
            }
            try {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                if (Procs.running(pid) && belongsTo(pid, nodeDir)) {
                    Procs.killAndAwait(pid, Duration.ofSeconds(5));
                }
            } catch (NumberFormatException | NoSuchFileException ignored) {
                // nothing recorded: the /proc scan below still finds it
            }
        }
        killStrays(real);
        deleteTree(lab);
    }

    /** redis-server whose command line names dir, or whose working dir is dir (or below). */
    static boolean belongsTo(long pid, Path dir) {
        String cmd = Procs.cmdline(pid);
        if (!cmd.contains("redis-server")) {
            return false;
        }
        if (cmd.contains(dir.toString() + "/") || cmd.endsWith(dir.toString()) || cmd.contains(dir + " ")) {
            return true;
        }
        return Procs.cwd(pid).map(cwd -> cwd.startsWith(dir)).orElse(false);
    }

    private static void killStrays(Path lab) {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            s.map(p -> p.getFileName().toString())
                    .filter(n -> n.chars().allMatch(Character::isDigit))
                    .mapToLong(Long::parseLong)
                    .filter(pid -> pid != ProcessHandle.current().pid() && belongsTo(pid, lab))
                    .forEach(pid -> Procs.killAndAwait(pid, Duration.ofSeconds(5)));
        } catch (IOException | RuntimeException e) {
            System.err.println("redis lab janitor: /proc scan failed: " + e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a concurrent janitor may be deleting the same tree
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // same
        }
    }

    private static boolean olderThan(Path p, Duration age) throws IOException {
        FileTime mtime = Files.getLastModifiedTime(p);
        return mtime.toInstant().isBefore(Instant.now().minus(age));
    }

    private static long parseOrZero(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
