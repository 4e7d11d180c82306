package io.cahoots.agent.k8s;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.testing.Polling;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import org.awaitility.core.ConditionTimeoutException;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the kit's containers as local processes on loopback, the way Kubernetes would run them, so the tests exercise
 * the real files: a container's command, arguments and environment come from the manifest; Kubernetes' parts are
 * stood in for, and only they:
 * <ol>
 *   <li>mounts become paths: {@code /etc/redis} -> the ConfigMap's source file (or a copy a test made), {@code /scripts}
 *       -> {@code k8s/redis/}, {@code /data} -> a scratch directory that is also the working directory;</li>
 *   <li>{@code fieldRef} values and Secrets (by name, key {@code password} or any key) come from the test; {@code $(VAR)}
 *       is expanded as the kubelet does;</li>
 *   <li>pod addresses in values ({@code redis-cluster-0.redis-cluster:6379}) become loopback addresses;</li>
 *   <li>ports never collide with anything: they are taken with the lab's lock files ({@link LabSpec}) in the lab's
 *       range, never 6379/16379, and passed as extra arguments ({@code --port}, {@code --bind 127.0.0.1}).</li>
 * </ol>
 * {@link #close} stops every process (SIGTERM, then SIGKILL) and keeps the scratch directory only when asked.
 */
final class KitProcesses implements AutoCloseable {

    private static final Pattern VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<FileLock> locks = new ArrayList<>();
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final Map<String, Path> mounts = new LinkedHashMap<>();
    private boolean keep;

    KitProcesses() {
        try {
            dir = Files.createTempDirectory("kit-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        mounts.put("/scripts", Path.of("k8s/redis").toAbsolutePath());
        mounts.put("/etc/redis", Path.of("redis-conf").toAbsolutePath());
    }

    /** Maps a mount path of the manifests to a local directory (e.g. {@code /etc/redis} -> a test's copy). */
    KitProcesses mount(String path, Path local) {
        mounts.put(path, local.toAbsolutePath());
        return this;
    }

    /** {@code name:port} in manifest values becomes {@code local}. */
    KitProcesses address(String name, HostPort local) {
        addresses.put(name, local.toString());
        return this;
    }

    /** A free loopback port, held (lock file) until {@link #close}. */
    int port() {
        Path lockDir = LabSpec.DEFAULT_BASE_DIR.resolve("ports");
        try {
            Files.createDirectories(lockDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int attempt = 0; attempt < 200; attempt++) {
            int p = ThreadLocalRandom.current().nextInt(20000, 32000);
            if (p == 6379 || p == 16379) {
                continue;
            }
            try {
                FileChannel ch = FileChannel.open(lockDir.resolve(p + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    ch.close();
                    continue;
                }
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress("127.0.0.1", p));
                } catch (IOException busy) {
                    lock.release();
                    ch.close();
                    continue;
                }
                locks.add(lock);
                return p;
            } catch (IOException e) {
                // try another port
            }
        }
        throw new IllegalStateException("no free port in 20000-32000");
    }

    /**
     * The environment a container gets: its variables in order, {@code fieldRef}s from {@code fields}, Secrets from
     * {@code secrets} by Secret name (an optional one the test does not give is left out, as the kubelet does; a
     * required one missing fails), {@code $(VAR)} expanded, pod addresses mapped, then {@code overrides} on top.
     */
    Map<String, String> environment(Container c, Map<String, String> fields, Map<String, String> secrets, Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            String v;
            if (e.getValue() != null) {
                v = expand(e.getValue(), env);
            } else if (e.getValueFrom().getFieldRef() != null) {
                v = fields.get(e.getValueFrom().getFieldRef().getFieldPath());
            } else {
                var ref = e.getValueFrom().getSecretKeyRef();
                v = secrets.get(ref.getName());
                if (v == null && Boolean.TRUE.equals(ref.getOptional())) {
                    continue;
                }
                if (v == null) {
                    throw new AssertionError(c.getName() + " needs Secret " + ref.getName() + " (" + e.getName() + "), which the test did not give");
                }
            }
            env.put(e.getName(), local(v));
        }
        env.putAll(overrides);
        return env;
    }

    /** Command and arguments with {@code $(VAR)} expanded and mount paths mapped. */
    List<String> commandLine(Container c, Map<String, String> env, String... extra) {
        List<String> out = new ArrayList<>();
        for (String w : c.getCommand()) {
            out.add(local(expand(w, env)));
        }
        for (String w : c.getArgs()) {
            out.add(local(expand(w, env)));
        }
        out.addAll(List.of(extra));
        return out;
    }

    /** Starts a long-running process in {@code workDir}; its output goes to {@code workDir/console.log}. */
    Process start(Path workDir, Map<String, String> env, List<String> command) {
        ProcessBuilder pb = processBuilder(workDir, env, command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("console.log").toFile()));
        try {
            Process p = pb.start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        }
    }

    /** Runs a process to its end (a script, an init container) and returns its output; a non-zero exit fails. */
    String runToEnd(Path workDir, Map<String, String> env, List<String> command, Duration timeout) {
        try {
            Path log = Files.createTempFile(workDir, "run-", ".log");
            Process p = processBuilder(workDir, env, command).redirectOutput(log.toFile()).start();
            processes.add(p);
            boolean ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String out = Files.readString(log);
            if (!ended) {
                keep = true;
                throw new AssertionError(command + " still running after " + timeout + ":\n" + out);
            }
            if (p.exitValue() != 0) {
                keep = true;
                throw new AssertionError(command + " exited with " + p.exitValue() + ":\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private ProcessBuilder processBuilder(Path workDir, Map<String, String> env, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        String path = pb.environment().get("PATH");
        pb.environment().clear(); // only what the container would have
        pb.environment().put("PATH", path);
        pb.environment().putAll(env);
        return pb;
    }

    Path scratch(String name) {
        try {
            return Files.createDirectories(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the node answers PING with {@code password} (null: none). */
    static void awaitPing(HostPort node, String password, Duration timeout) {
        awaitPong(() -> connect(node, password), timeout, node + " does not answer PING");
    }

    static Jedis connect(HostPort node, String password) {
        return connect(node, null, password);
    }

    /** Waits until the node answers PING as ACL user {@code user}. */
    static void awaitPing(HostPort node, String user, String password, Duration timeout) {
        awaitPong(() -> connect(node, user, password), timeout, node + " does not answer PING as " + user);
    }

    /** Pings on a new connection every 50 ms; on a timeout {@code failure}, caused by the last refusal. */
    private static void awaitPong(Supplier<Jedis> connect, Duration timeout, String failure) {
        AtomicReference<JedisException> last = new AtomicReference<>();
        try {
            Polling.poll(timeout, Duration.ofMillis(50)).until(() -> {
                try (Jedis j = connect.get()) {
                    return "PONG".equals(j.ping());
                } catch (JedisException e) {
                    last.set(e);
                    return false;
                }
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(failure + " within " + timeout, last.get());
        }
    }

    /** A connection as ACL user {@code user} (null: the default user). */
    static Jedis connect(HostPort node, String user, String password) {
        return new Jedis(new HostAndPort(node.host(), node.port()), DefaultJedisClientConfig.builder()
                .user(user).password(password).socketTimeoutMillis(2000).connectionTimeoutMillis(2000).build());
    }

    private String expand(String value, Map<String, String> env) {
        Matcher m = VAR.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = env.get(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(v != null ? v : m.group()));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private String local(String value) {
        if (value == null) {
            return null;
        }
        String v = value;
        for (Map.Entry<String, String> a : addresses.entrySet()) {
            v = v.replace(a.getKey(), a.getValue());
        }
        for (Map.Entry<String, Path> m : mounts.entrySet()) {
            if (v.equals(m.getKey())) {
                v = m.getValue().toString();
            } else if (v.startsWith(m.getKey() + "/")) {
                v = m.getValue() + v.substring(m.getKey().length());
            }
        }
        return v;
    }

    /** Keep the scratch directory (configs, logs) after close, e.g. when a test failed. */
    void keep() {
        keep = true;
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (FileLock l : locks) {
            try {
                l.release();
                l.channel().close();
            } catch (IOException e) {
                // the OS releases it with the JVM anyway
            }
        }
        if (keep) {
            System.err.println("kit processes: files kept in " + dir);
        } else {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a scratch directory left in /tmp
            }
        }
    }
}
