package io.cahoots.agent.importer;

import io.cahoots.agent.config.ImportConfig;
import io.cahoots.agent.config.ImportSettings;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.adapter.jedis.JedisImportCommands;
import io.cahoots.agent.redis.RedisConnections;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;

/** Produces the validated import settings (checked by the start-up gate) and the Redis adapter. */
public class ImportBeans {

    /** A pipeline of a thousand DUMPs or RESTOREs of large values may take seconds on a loaded node. */
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);

    @Produces
    @Singleton
    ImportSettings importSettings(ImportConfig config) {
        return ImportSettings.from(config);
    }

    @Produces
    @Singleton
    ImportCommands importCommands(RedisConnections connections, Settings settings) {
        return new JedisImportCommands(connections.withTimeout(SOCKET_TIMEOUT, settings.sentinelCredentials(), settings.tls()));
    }
}
