package io.cahoots.agent.redis.lab;

import io.cahoots.agent.cluster.HostPort;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * How a lab runs one redis-server: as a local process ({@link ProcessLauncher}, the default) or another way, e.g. as
 * a container (the container suite's {@code io.cahoots.agent.testing.containers.ContainerLauncher}). The lab writes
 * the config into the node's dir and waits for the node to answer; a launcher only starts, stops and freezes it.
 *
 * <p>The default for every {@link LabSpec} is the class named by the system property {@value #PROPERTY} (a public
 * no-argument constructor), or {@link ProcessLauncher} when it is unset. So one property moves a whole test JVM's
 * labs into containers without touching a test.
 */
public interface NodeLauncher {

    String PROPERTY = "cahoots.lab.launcher";

    /**
     * What to start. The node must bind {@code address} (and {@code busPort} for cluster nodes) on 127.0.0.1 and run
     * {@code redis-server configFile [--sentinel]} with {@code nodeDir} as its working dir; every path it reads or
     * writes lies under {@code labDir}. Anything it prints goes to {@code consoleLog}.
     */
    record Launch(LabNode.Role role, HostPort address, int busPort, Path redisServer, Path configFile, Path nodeDir,
                  Path labDir, Path consoleLog) {
    }

    /** A started node. */
    interface Running {
        /** The pid {@code INFO server} reports as {@code process_id} (how the lab knows the answer is this node's). */
        long pid();

        boolean isAlive();

        /** Exit code once it has ended, if known. */
        OptionalInt exitCode();

        /** SIGKILL (also when paused); waits until it is gone. */
        void kill(Duration timeout);

        /** SIGTERM, does not wait. */
        void terminate();

        /** True when it ended within the timeout. */
        boolean awaitExit(Duration timeout);

        /** Freezes it: alive, connections open, nothing answered. */
        void pause();

        void resume();
    }

    Running launch(Launch launch) throws IOException;

    /** The launcher named by {@value #PROPERTY}, else a {@link ProcessLauncher}. */
    static NodeLauncher fromSystemProperty() {
        String name = System.getProperty(PROPERTY, "").trim();
        if (name.isEmpty() || name.equals(ProcessLauncher.class.getName())) {
            return ProcessLauncher.INSTANCE;
        }
        try {
            return (NodeLauncher) Class.forName(name, true, Thread.currentThread().getContextClassLoader())
                    .getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new LabException(PROPERTY + "=" + name + " is not a usable NodeLauncher: " + e, e);
        }
    }
}
