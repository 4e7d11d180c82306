package io.cahoots.agent.k8s;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The instructions of {@code src/main/docker/Dockerfile.jvm} that the kit and the tests rely on. */
record Dockerfile(String from, Map<String, String> env, List<String> expose, List<Copy> copies, String user, String entrypoint) {

    static final Path FILE = Path.of("src/main/docker/Dockerfile.jvm");

    /** {@code COPY [--chown=..] source target}. */
    record Copy(String source, String target) {
    }

    private static final Pattern ENV = Pattern.compile("ENV\\s+([A-Z_]+)=\"?(.*?)\"?");

    static Dockerfile read() {
        String from = null;
        String user = null;
        String entrypoint = null;
        Map<String, String> env = new LinkedHashMap<>();
        List<String> expose = new ArrayList<>();
        List<Copy> copies = new ArrayList<>();
        Map<String, String> buildArgs = new LinkedHashMap<>();
        for (String raw : Rendering.read(FILE).replace("\\\n", " ").split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] w = line.split("\\s+");
            switch (w[0]) {
                // ARG NAME=default before FROM (the base image, overridden with --build-arg); FROM ${NAME} is its default.
                case "ARG" -> {
                    String[] kv = w[1].split("=", 2);
                    buildArgs.put(kv[0], kv.length > 1 ? kv[1] : "");
                }
                case "FROM" -> {
                    Matcher a = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}").matcher(w[1]);
                    from = a.matches() ? buildArgs.get(a.group(1)) : w[1];
                }
                case "USER" -> user = w[1];
                case "EXPOSE" -> expose.addAll(List.of(w).subList(1, w.length));
                case "ENTRYPOINT" -> entrypoint = line.substring("ENTRYPOINT".length()).strip();
                case "ENV" -> {
                    Matcher m = ENV.matcher(line);
                    if (!m.matches()) {
                        throw new AssertionError("unexpected ENV form: " + line);
                    }
                    env.put(m.group(1), m.group(2).replaceAll("^'|'$", ""));
                }
                case "COPY" -> {
                    List<String> args = new ArrayList<>(List.of(w).subList(1, w.length));
                    args.removeIf(a -> a.startsWith("--"));
                    copies.add(new Copy(args.get(0), args.get(1)));
                }
                default -> throw new AssertionError("unexpected instruction in " + FILE + ": " + line);
            }
        }
        return new Dockerfile(from, env, expose, copies, user, entrypoint);
    }
}
