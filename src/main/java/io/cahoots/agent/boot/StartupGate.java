package io.cahoots.agent.boot;

import io.cahoots.agent.config.InvalidSettingException;
import io.cahoots.agent.config.Settings;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

/**
 * The first thing that runs: builds the settings (and the lab, when asked for) and, when that fails,
 * prints one line that says what to fix and exits non-zero before anything else starts.
 */
@Singleton
public class StartupGate {

    /** Exit code for an invalid setting, distinct from Quarkus' own start-up failure (1). */
    public static final int EXIT_INVALID_SETTING = 2;
    public static final int EXIT_LAB_FAILED = 3;

    void check(@Observes @Priority(1) StartupEvent event, Instance<Settings> settings) {
        try {
            settings.get();
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (!(cause instanceof InvalidSettingException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof InvalidSettingException invalid) {
                die(invalid.getMessage(), EXIT_INVALID_SETTING);
            }
            die("Cannot start: " + e.getMessage(), EXIT_LAB_FAILED);
        }
    }

    private static void die(String line, int code) {
        System.err.println(line);
        System.err.flush();
        // halt, not exit: nothing has started that needs a shutdown hook, and Quarkus' own shutdown would
        // bury the line under its log output.
        Runtime.getRuntime().halt(code);
    }
}
