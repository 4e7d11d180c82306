package io.cahoots.agent.boot;

import io.cahoots.agent.config.ObserveConfig;
import io.cahoots.agent.config.ObserveSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Produces the observation settings (a settings group of its own, so the start-up gate validates it). */
public class ObserveBeans {

    @Produces
    @Singleton
    ObserveSettings observeSettings(ObserveConfig config) {
        return ObserveSettings.from(config);
    }
}
