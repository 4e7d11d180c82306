package io.cahoots.agent.boot;

import io.cahoots.agent.config.AgentConfig;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.redis.RedisConnections;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Produces the agent's shared singletons: validated settings (pointed at the lab when one runs), the clock, connections. */
public class AgentBeans {

    @Produces
    @Singleton
    Settings settings(AgentConfig config, LabSupervisor lab) {
        return lab.apply(Settings.from(config));
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    RedisConnections connections(Settings settings) {
        return new RedisConnections(settings.redisCredentials(), settings.sentinelCredentials(), settings.tls(),
                settings.redisTimeout());
    }

    void close(@Disposes RedisConnections connections) {
        connections.close();
    }
}
