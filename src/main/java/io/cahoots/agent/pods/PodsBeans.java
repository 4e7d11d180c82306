package io.cahoots.agent.pods;

import io.cahoots.agent.config.KubeConfig;
import io.cahoots.agent.config.KubeSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Produces the validated pod settings; the start-up gate builds them with every other settings group. */
public class PodsBeans {

    @Produces
    @Singleton
    KubeSettings kubeSettings(KubeConfig config) {
        return KubeSettings.from(config);
    }
}
