package io.cahoots.agent.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real tools the kit is meant for ({@code kubectl}, {@code promtool}): a missing tool fails the test with
 * what to install, it never skips it.
 */
final class Tools {

    private Tools() {
    }

    record Result(int exit, String output) {
    }

    static Result run(Path dir, String install, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 60s:\n" + out);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new AssertionError(command[0] + " is needed for this test and cannot be run (" + e.getMessage() + "): " + install, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static final String PROMTOOL = "install promtool: apt-get install prometheus (Debian/Ubuntu)";
    static final String KUBECTL = "install kubectl 1.27 or later (kustomize v5): https://kubernetes.io/docs/tasks/tools/";

    static List<String> lines(String s) {
        return s.lines().toList();
    }
}
