package io.cahoots.agent.redis.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Linux process helpers: reading {@code /proc} and sending the signals Java has no API for. */
final class Procs {

    private Procs() {
    }

    /** The command line with NULs turned into spaces, or "" when the process is gone or unreadable. */
    static String cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Working directory; only readable for our own user's processes. */
    static Optional<Path> cwd(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd")).normalize());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** True while the process exists and is not a zombie (a killed child stays a zombie until reaped). */
    static boolean running(long pid) {
        char state = state(pid);
        return state != 0 && state != 'Z' && state != 'X';
    }

    /** The state letter of /proc/pid/stat (R, S, T = stopped, Z, ...), or 0 when the process is gone. */
    static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')'); // the command name may contain spaces and parentheses
            return stat.charAt(close + 2);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Sends e.g. STOP or CONT through /bin/kill; Java only offers TERM and KILL. */
    static void signal(long pid, String signal) {
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new LabException("kill -" + signal + " " + pid + " failed: " + out);
            }
        } catch (IOException e) {
            throw new LabException("cannot run kill -" + signal + " " + pid + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while signalling " + pid, e);
        }
    }

    /** SIGKILLs a process that is not our child and waits until it is gone. */
    static boolean killAndAwait(long pid, Duration timeout) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(20);
        }
        return true;
    }

    /** Last lines of a log file, for error messages. */
    static String tail(Path file, int lines) {
        return tail(file, 0, lines);
    }

    /** Last lines of what was written to a file after byte {@code offset}. */
    static String tail(Path file, long offset, int lines) {
        try {
            byte[] raw = Files.readAllBytes(file);
            int from = (int) Math.min(Math.max(offset, 0), raw.length);
            List<String> all = new String(raw, from, raw.length - from, StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }
}
