package io.cahoots.agent.testing.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.redis.lab.LabNode;
import io.cahoots.agent.redis.lab.NodeLauncher;
import io.cahoots.agent.testing.Polling;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.core.ConditionTimeoutException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * Runs every lab node as a Testcontainers container instead of a process, so the whole test suite (or any part of it)
 * runs on containers with {@code -Dcahoots.lab.launcher=io.cahoots.agent.testing.containers.ContainerLauncher} -- the
 * {@code containers} Maven profile sets it. Each node is one container of {@link #image()}:
 * <ul>
 *   <li>host network, so it binds the lab's chosen 127.0.0.1 port (and bus port) like the process would; the lab's
 *       port allocator, configs and addresses stay as they are;</li>
 *   <li>the host's pid namespace, so {@code INFO server}'s process_id is the host pid the lab checks and a node's
 *       pid can be signalled like a process's;</li>
 *   <li>the lab dir bind-mounted at the same path (configs, logs, nodes.conf, TLS files), running as the owner of
 *       that dir so the lab can delete what the node wrote;</li>
 *   <li>entrypoint {@code redis-server}: the local {@code cahoots-redis:local} image (scripts/docker-up.sh) or any
 *       public {@code redis:<version>} image ({@value #IMAGE_PROPERTY}).</li>
 * </ul>
 * Pause is {@code docker pause} (the cgroup freezer). Ryuk is off (no registry to pull it from): kill() removes the
 * container, the lab's close() kills every node, and a crashed JVM's containers die when the next lab's janitor
 * kills their pids. Containers are named {@code cahoots-<lab>-<port>} and labelled {@code cahoots.lab}.
 */
public final class ContainerLauncher implements NodeLauncher {

    public static final String IMAGE_PROPERTY = "cahoots.lab.image";
    public static final String DEFAULT_IMAGE = "cahoots-redis:local";

    private static final Map<HostPort, String> CONTAINERS = new ConcurrentHashMap<>();

    /** The image every node runs. */
    public static String image() {
        return System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE);
    }

    /** The running container of a lab node, for faults only containers make (memory limits, ...). */
    public static String containerId(HostPort node) {
        String id = CONTAINERS.get(node);
        if (id == null) {
            throw new IllegalArgumentException(node + " is not a running lab container");
        }
        return id;
    }

    public static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    @Override
    public Running launch(Launch l) throws IOException {
        String name = "cahoots-" + l.labDir().getFileName() + "-" + l.address().port();
        removeQuietly(name); // a restart reuses the name
        int uid = (Integer) Files.getAttribute(l.labDir(), "unix:uid");
        int gid = (Integer) Files.getAttribute(l.labDir(), "unix:gid");
        List<String> cmd = new ArrayList<>(List.of(l.configFile().toString()));
        if (l.role() == LabNode.Role.SENTINEL) {
            cmd.add("--sentinel");
        }
        Path console = l.consoleLog();
        String lab = l.labDir().toString();
        @SuppressWarnings("resource") // stopped through Node.kill; the lab owns its lifetime
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image()))
                .withNetworkMode("host")
                .withCommand(cmd.toArray(String[]::new))
                .withLabel("cahoots.lab", l.labDir().getFileName().toString())
                .withLogConsumer((OutputFrame f) -> append(console, f.getUtf8String()))
                // LabNode waits for the node's answer itself.
                .waitingFor(new AbstractWaitStrategy() {
                    @Override
                    protected void waitUntilReady() {
                    }
                })
                .withCreateContainerCmdModifier(create -> {
                    create.withName(name)
                            .withEntrypoint("redis-server")
                            .withWorkingDir(l.nodeDir().toString())
                            .withUser(uid + ":" + gid);
                    create.getHostConfig()
                            .withPidMode("host")
                            .withBinds(new Bind(lab, new Volume(lab)));
                });
        try {
            c.start();
        } catch (RuntimeException e) {
            removeQuietly(name);
            throw new IOException("container " + name + " of " + image() + " did not start: " + e.getMessage(), e);
        }
        String id = c.getContainerId();
        Long pid = c.getContainerInfo().getState().getPidLong();
        if (pid == null || pid <= 0) {
            removeQuietly(id);
            throw new IOException("container " + name + " exited at once (see " + console + ")");
        }
        CONTAINERS.put(l.address(), id);
        return new Node(l.address(), id, pid);
    }

    @Override
    public String toString() {
        return "containers of " + image();
    }

    private static void append(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the lab dir is gone: the node is being removed
        }
    }

    private static void removeQuietly(String nameOrId) {
        try {
            docker().removeContainerCmd(nameOrId).withForce(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (RuntimeException e) {
            // "removal already in progress" and the like: the next start reports a real conflict
        }
    }

    private static final class Node implements Running {
        private final HostPort address;
        private final String id;
        private final long pid;
        private volatile boolean paused;

        Node(HostPort address, String id, long pid) {
            this.address = address;
            this.id = id;
            this.pid = pid;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public boolean isAlive() {
            // The host pid namespace makes the container's process visible here: no API call per check.
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        @Override
        public OptionalInt exitCode() {
            try {
                Long code = docker().inspectContainerCmd(id).exec().getState().getExitCodeLong();
                return code == null ? OptionalInt.empty() : OptionalInt.of(code.intValue());
            } catch (NotFoundException e) {
                return OptionalInt.empty();
            }
        }

        @Override
        public void kill(Duration timeout) {
            unpauseQuietly(); // a frozen process cannot die until thawed
            try {
                docker().killContainerCmd(id).exec();
            } catch (NotFoundException | NotModifiedException e) {
                // already gone
            } catch (RuntimeException e) {
                if (isAlive()) {
                    throw e;
                }
            }
            awaitExit(timeout);
        }

        @Override
        public void terminate() {
            unpauseQuietly();
            try {
                docker().killContainerCmd(id).withSignal("TERM").exec();
            } catch (RuntimeException e) {
                if (isAlive()) {
                    throw e;
                }
            }
        }

        @Override
        public boolean awaitExit(Duration timeout) {
            try {
                Polling.poll(timeout, Duration.ofMillis(20)).until(() -> !isAlive());
            } catch (ConditionTimeoutException e) {
                return false;
            }
            CONTAINERS.remove(address, id);
            removeQuietly(id);
            return true;
        }

        @Override
        public void pause() {
            docker().pauseContainerCmd(id).exec();
            paused = true;
        }

        @Override
        public void resume() {
            docker().unpauseContainerCmd(id).exec();
            paused = false;
        }

        private void unpauseQuietly() {
            if (paused) {
                try {
                    resume();
                } catch (RuntimeException e) {
                    // not paused any more, or gone
                }
            }
        }

        @Override
        public String toString() {
            return "container " + id.substring(0, 12) + " pid " + pid;
        }
    }
}
