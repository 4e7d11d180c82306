package io.cahoots.agent.boot;

import io.cahoots.agent.adapter.jedis.JedisImportCommands;
import io.cahoots.agent.adapter.jedis.PolicyCommands;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.importer.ImportCommands;
import io.cahoots.agent.caching.PolicyRedis;
import io.cahoots.agent.redis.RedisConnections;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;

/**
 * Produces the Redis adapters of the feature packages' ports. They live here, in the wiring, because a feature
 * package that built its own adapter would depend on {@code adapter/}, which depends on it (a cycle).
 */
public class AdapterBeans {

    /** A pipeline of a thousand DUMPs or RESTOREs of large values may take seconds on a loaded node. */
    static final Duration IMPORT_SOCKET_TIMEOUT = Duration.ofSeconds(30);

    @Produces
    @Singleton
    ImportCommands importCommands(RedisConnections connections, Settings settings) {
        return new JedisImportCommands(connections.withTimeout(IMPORT_SOCKET_TIMEOUT, settings.sentinelCredentials(), settings.tls()));
    }

    @Produces
    @Singleton
    PolicyRedis policyRedis(RedisConnections connections) {
        return new PolicyCommands(connections);
    }
}
