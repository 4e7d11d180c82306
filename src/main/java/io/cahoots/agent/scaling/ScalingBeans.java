package io.cahoots.agent.scaling;

import io.cahoots.agent.config.RedisScalingConfig;
import io.cahoots.agent.config.RedisScalingSettings;
import io.cahoots.agent.config.ScalingConfig;
import io.cahoots.agent.config.ScalingSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Produces the validated scaling settings; the start-up gate builds them with every other settings group. */
public class ScalingBeans {

    @Produces
    @Singleton
    ScalingSettings scalingSettings(ScalingConfig config) {
        return ScalingSettings.from(config);
    }

    @Produces
    @Singleton
    RedisScalingSettings redisScalingSettings(RedisScalingConfig config) {
        return RedisScalingSettings.from(config);
    }
}
