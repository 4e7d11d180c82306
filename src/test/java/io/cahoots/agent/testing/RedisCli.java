package io.cahoots.agent.testing;

import io.cahoots.agent.cluster.HostPort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code redis-cli}, the reference the agent is compared with. */
public final class RedisCli {

    private RedisCli() {
    }

    public static String run(HostPort node, String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", node.host(), "-p", Integer.toString(node.port())));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("redis-cli timed out: " + cmd);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run redis-cli (is it installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
