package io.cahoots.agent.topology;

import io.cahoots.agent.config.PushConfig;
import io.cahoots.agent.config.PushSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Produces the validated push settings; the start-up gate builds them first, so a bad value stops the agent. */
public class PushBeans {

    @Produces
    @Singleton
    PushSettings pushSettings(PushConfig config) {
        return PushSettings.from(config);
    }
}
