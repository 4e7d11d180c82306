package io.cahoots.agent.policy;

import io.cahoots.agent.config.PolicyConfig;
import io.cahoots.agent.config.PolicySettings;
import io.cahoots.agent.adapter.jedis.PolicyCommands;
import io.cahoots.agent.redis.RedisConnections;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Produces the validated policy settings (built by the start-up gate with every other group) and the Redis adapter. */
public class PolicyBeans {

    @Produces
    @Singleton
    PolicySettings policySettings(PolicyConfig config) {
        return PolicySettings.from(config);
    }

    @Produces
    @Singleton
    PolicyRedis policyRedis(RedisConnections connections) {
        return new PolicyCommands(connections);
    }
}
