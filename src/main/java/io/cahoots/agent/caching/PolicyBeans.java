package io.cahoots.agent.caching;

import io.cahoots.agent.config.PolicyConfig;
import io.cahoots.agent.config.PolicySettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Produces the validated policy settings (built by the start-up gate with every other group); the Redis adapter comes from {@code boot/AdapterBeans}. */
public class PolicyBeans {

    @Produces
    @Singleton
    PolicySettings policySettings(PolicyConfig config) {
        return PolicySettings.from(config);
    }
}
