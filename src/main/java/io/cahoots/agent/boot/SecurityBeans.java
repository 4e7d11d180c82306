package io.cahoots.agent.boot;

import io.cahoots.agent.config.SecurityConfig;
import io.cahoots.agent.config.SecuritySettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Produces the validated read token and Redis TLS settings (a settings group: checked by the start-up gate). */
public class SecurityBeans {

    @Produces
    @Singleton
    SecuritySettings securitySettings(SecurityConfig config) {
        return SecuritySettings.from(config);
    }
}
