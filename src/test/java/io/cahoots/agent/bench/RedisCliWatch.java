package io.cahoots.agent.bench;

import io.cahoots.agent.cluster.HostPort;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@code redis-cli --csv psubscribe +switch-master} on every Sentinel, line-buffered: the reference watcher. */
final class RedisCliWatch implements AutoCloseable {

    private record Line(String text, long nanos) {
    }

    private final List<Process> processes = new ArrayList<>();
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    RedisCliWatch(List<HostPort> sentinels) throws IOException {
        for (HostPort s : sentinels) {
            Process p = new ProcessBuilder("stdbuf", "-oL", "redis-cli", "-h", s.host(), "-p", Integer.toString(s.port()),
                    "--csv", "psubscribe", "+switch-master").redirectErrorStream(true).start();
            processes.add(p);
            Thread t = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(new Line(line, System.nanoTime()));
                    }
                } catch (IOException e) {
                    // process ended
                }
            }, "redis-cli-" + s);
            t.setDaemon(true);
            t.start();
        }
    }

    /** When redis-cli first printed a switch to {@code master} (host:port) after {@code afterNanos}, or -1. */
    long firstAfter(long afterNanos, String master) {
        String tail = master.replace(":", " ") + "\"";
        return lines.stream().filter(l -> l.nanos() > afterNanos && l.text().contains("+switch-master") && l.text().endsWith(tail))
                .mapToLong(Line::nanos).min().orElse(-1);
    }

    @Override
    public void close() {
        processes.forEach(Process::destroy);
    }
}
