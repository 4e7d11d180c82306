package io.cahoots.agent.boot;

import io.cahoots.agent.config.SettingErrors;
import io.quarkus.runtime.Application;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.jboss.logging.Logger;

/**
 * The agent's {@code main}: Quarkus' own, except for a setting SmallRye could not convert. The config is built before
 * any bean, so {@link StartupGate} never sees such a value; here its failure becomes the same one line naming the
 * variable and the same exit code.
 */
@QuarkusMain
public class AgentMain {

    public static void main(String... args) {
        Quarkus.run(Agent.class, AgentMain::exit, args);
    }

    /** Runs until Quarkus is asked to stop, as the default main does. */
    public static class Agent implements QuarkusApplication {
        @Override
        public int run(String... args) {
            Quarkus.waitForExit();
            return 0;
        }
    }

    /** Given an exit handler, Quarkus reports nothing itself: this reports as it would, except for a bad setting. */
    static void exit(int code, Throwable failure) {
        if (failure != null) {
            SettingErrors.find(failure).ifPresent(invalid -> StartupGate.die(invalid.getMessage(), StartupGate.EXIT_INVALID_SETTING));
            Throwable root = failure;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            if (root instanceof io.quarkus.runtime.configuration.ConfigurationException
                    || root instanceof io.smallrye.config.ConfigValidationException) {
                System.err.println(root.getMessage());
            } else if (root instanceof io.quarkus.runtime.QuarkusBindException bind) {
                Logger.getLogger(Application.class).errorf("Port %d seems to be in use by another process (host %s).",
                        bind.getPort(), bind.getHost());
            } else {
                Logger.getLogger(Application.class).errorv(failure, "Failed to start application");
            }
        }
        System.exit(code);
    }
}
