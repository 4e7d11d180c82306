package io.cahoots.agent.boot;

import io.cahoots.agent.config.InvalidSettingException;
import io.cahoots.agent.config.SecurityConfig;
import io.cahoots.agent.config.SecuritySettings;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.redis.RedisTls;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Produces the validated read token and Redis TLS settings (a settings group: checked by the start-up gate). */
public class SecurityBeans {

    @Produces
    @Singleton
    SecuritySettings securitySettings(SecurityConfig config) {
        return SecuritySettings.from(config);
    }

    /**
     * How every Redis and Sentinel connection speaks TLS. A TLS lab brings its own throwaway CA and client
     * certificate; otherwise {@code AGENT_REDIS_TLS} and the PEM files decide. Settings are resolved first, so the
     * lab has started by the time its files are read.
     */
    @Produces
    @Singleton
    RedisTls redisTls(Settings settings, SecuritySettings security, LabSupervisor lab) {
        var labTls = lab.lab().flatMap(l -> l.tls());
        if (labTls.isPresent()) {
            return RedisTls.of(java.util.Optional.of(labTls.get().ca()), java.util.Optional.of(labTls.get().clientCert()),
                    java.util.Optional.of(labTls.get().clientKey()), true);
        }
        if (!settings.tls()) {
            return RedisTls.off();
        }
        try {
            return RedisTls.of(security.tlsCa(), security.tlsCert(), security.tlsKey(), security.verifyHostname());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("AGENT_REDIS_TLS_CA", e.getMessage());
        }
    }
}
