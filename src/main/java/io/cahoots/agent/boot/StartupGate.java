package io.cahoots.agent.boot;

import io.cahoots.agent.config.SettingErrors;
import io.cahoots.agent.config.SettingsGroup;
import io.cahoots.agent.lifecycle.StartupPhase;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The first thing that runs: builds every {@link SettingsGroup} (and the lab, when asked for) and, when that fails,
 * prints one line that says what to fix and exits non-zero before anything else starts. A value SmallRye could not
 * even convert fails earlier, when the config is built; {@link AgentMain} prints the same line for it.
 */
@Singleton
public class StartupGate {

    private static final Logger LOG = Logger.getLogger(StartupGate.class);

    /** Exit code for an invalid setting, distinct from Quarkus' own start-up failure (1). */
    public static final int EXIT_INVALID_SETTING = 2;
    public static final int EXIT_LAB_FAILED = 3;

    void check(@Observes @Priority(StartupPhase.SETTINGS) StartupEvent event, @Any Instance<SettingsGroup> groups) {
        try {
            for (SettingsGroup group : groups) {
                LOG.debugf("settings: %s", group);
            }
        } catch (RuntimeException e) {
            SettingErrors.find(e).ifPresent(invalid -> die(invalid.getMessage(), EXIT_INVALID_SETTING));
            die("Cannot start: " + e.getMessage(), EXIT_LAB_FAILED);
        }
    }

    static void die(String line, int code) {
        System.err.println(line);
        System.err.flush();
        // halt, not exit: nothing has started that needs a shutdown hook, and Quarkus' own shutdown would
        // bury the line under its log output.
        Runtime.getRuntime().halt(code);
    }
}
