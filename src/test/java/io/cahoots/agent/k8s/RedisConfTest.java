package io.cahoots.agent.k8s;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The files operators read: every Redis directive says why it is there, and every script parses. */
class RedisConfTest {

    @Test
    void everyDirectiveOfTheRedisConfigsIsExplainedByTheCommentAboveIt() {
        for (Path conf : List.of(RedisConf.CLUSTER, RedisConf.SENTINEL)) {
            List<String> lines = RedisConf.read(conf).lines();
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i).strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    assertThat(i).as("%s line %d", conf, i + 1).isPositive();
                    assertThat(lines.get(i - 1).strip()).as("%s line %d '%s' needs a comment saying why", conf, i + 1, l).startsWith("#");
                }
            }
        }
    }

    @Test
    void theConfigsContainNoPasswordAndNoFixedDirectory() {
        for (Path conf : List.of(RedisConf.CLUSTER, RedisConf.SENTINEL)) {
            RedisConf c = RedisConf.read(conf);
            // Passwords come from the Secret at start; a "dir" line is entered before command-line overrides apply.
            assertThat(c.get("requirepass")).as(conf.toString()).isEmpty();
            assertThat(c.get("masterauth")).isEmpty();
            assertThat(c.get("dir")).isEmpty();
            assertThat(c.get("sentinel", "auth-pass")).isEmpty();
        }
    }

    @Test
    void everyScriptIsValidPosixShell() throws IOException {
        List<Path> scripts;
        try (Stream<Path> s = Files.list(Rendering.K8S.resolve("redis"))) {
            scripts = s.filter(p -> p.toString().endsWith(".sh")).sorted().toList();
        }
        assertThat(scripts).extracting(p -> p.getFileName().toString())
                .containsExactly("create-cluster.sh", "pre-stop.sh", "prepare-sentinel.sh", "probe.sh", "render-acl.sh", "start-ha-node.sh");
        for (Path script : scripts) {
            // dash, not bash: the redis image's /bin/sh
            Tools.Result r = Tools.run(Path.of("."), "install dash (Debian's /bin/sh)", "dash", "-n", script.toString());
            assertThat(r.exit()).as(script + ": " + r.output()).isZero();
            // The probe and the preStop hook handle each failing command themselves (a probe must answer, a hook must
            // not abort a stop), so they only refuse unset variables; the set-up scripts stop at the first error.
            boolean handlesErrors = Set.of("probe.sh", "pre-stop.sh").contains(script.getFileName().toString());
            assertThat(Files.readString(script)).startsWith("#!/bin/sh\n").contains(handlesErrors ? "set -u" : "set -eu");
        }
    }
}
