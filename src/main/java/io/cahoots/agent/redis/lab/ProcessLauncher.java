package io.cahoots.agent.redis.lab;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/** Runs a lab node as a child process of this JVM; pause is SIGSTOP. The default {@link NodeLauncher}. */
public final class ProcessLauncher implements NodeLauncher {

    public static final ProcessLauncher INSTANCE = new ProcessLauncher();

    @Override
    public Running launch(Launch l) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(l.redisServer().toString(), l.configFile().toString()));
        if (l.role() == LabNode.Role.SENTINEL) {
            cmd.add("--sentinel");
        }
        Process p;
        try {
            p = new ProcessBuilder(cmd)
                    .directory(l.nodeDir().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(l.consoleLog().toFile()))
                    .start();
        } catch (IOException e) {
            throw new IOException("cannot start " + String.join(" ", cmd) + ": " + e, e);
        }
        return new Child(p);
    }

    @Override
    public String toString() {
        return "processes";
    }

    private record Child(Process p) implements Running {
        @Override public long pid() { return p.pid(); }
        @Override public boolean isAlive() { return p.isAlive(); }
        @Override public OptionalInt exitCode() { return p.isAlive() ? OptionalInt.empty() : OptionalInt.of(p.exitValue()); }

        @Override
        public void kill(Duration timeout) {
            if (p.isAlive()) {
                p.destroyForcibly();
                awaitExit(timeout);
            }
        }

        @Override
        public void terminate() {
            p.destroy();
        }

        @Override
        public boolean awaitExit(Duration timeout) {
            try {
                return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public void pause() {
            Procs.signal(p.pid(), "STOP");
            Poll.until("pid " + p.pid() + " stopped", Duration.ofSeconds(5), 5,
                    () -> Procs.state(p.pid()) == 'T' ? null : "still running");
        }

        @Override
        public void resume() {
            Procs.signal(p.pid(), "CONT");
        }
    }
}
