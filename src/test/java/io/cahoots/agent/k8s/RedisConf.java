package io.cahoots.agent.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The directives of a redis.conf-style file (comments and blank lines dropped), split into words. */
record RedisConf(Path file, List<String> lines) {

    static final Path CLUSTER = Path.of("redis-conf/redis-cluster.conf");
    static final Path SENTINEL = Path.of("redis-conf/sentinel.conf");

    static RedisConf read(Path file) {
        try {
            return new RedisConf(file, Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<List<String>> directives() {
        List<List<String>> out = new ArrayList<>();
        for (String l : lines) {
            String t = l.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                out.add(Arrays.asList(t.split("\\s+")));
            }
        }
        return out;
    }

    /** The words after {@code prefix} of the one directive that starts with it. */
    Optional<List<String>> get(String... prefix) {
        List<String> p = List.of(prefix);
        List<List<String>> found = directives().stream()
                .filter(d -> d.size() >= p.size() && d.subList(0, p.size()).equals(p)).toList();
        if (found.size() > 1) {
            throw new AssertionError(file + ": '" + String.join(" ", p) + "' appears " + found.size() + " times");
        }
        return found.stream().findFirst().map(d -> d.subList(p.size(), d.size()));
    }

    String value(String... prefix) {
        return String.join(" ", get(prefix).orElseThrow(() -> new AssertionError(file + " has no '" + String.join(" ", prefix) + "'")));
    }
}
