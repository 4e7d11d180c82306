package io.cahoots.agent.boot;

import io.cahoots.agent.config.AgentConfig;
import io.cahoots.agent.config.MigrationConfig;
import io.cahoots.agent.config.MigrationSettings;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.executor.ClusterFixer;
import io.cahoots.agent.executor.MigrationEngine;
import io.cahoots.agent.executor.MigrationTuning;
import io.cahoots.agent.adapter.jedis.JedisClusterCommands;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.lab.RedisLab;
import io.cahoots.agent.scaling.SpareNodeSource;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;

/** Produces the agent's shared singletons: validated settings (pointed at the lab when one runs), the clock, connections. */
public class AgentBeans {

    static final Duration MIGRATION_SOCKET_TIMEOUT = Duration.ofSeconds(15);

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
    RedisConnections connections(Settings settings, io.cahoots.agent.redis.RedisTls tls) {
        return new RedisConnections(settings.redisCredentials(), settings.sentinelCredentials(), tls,
                settings.redisTimeout());
    }

    void close(@Disposes RedisConnections connections) {
        connections.close();
    }

    /** Jobs get their own pools with a longer socket timeout: one MIGRATE may take seconds. */
    @Produces
    @Singleton
    JedisClusterCommands clusterCommands(Settings settings, RedisConnections connections) {
        return new JedisClusterCommands(connections.withTimeout(MIGRATION_SOCKET_TIMEOUT, settings.sentinelCredentials(), settings.tls()));
    }

    void close(@Disposes JedisClusterCommands commands) {
        commands.close();
    }

    @Produces
    @Singleton
    MigrationSettings migrationSettings(MigrationConfig config) {
        return MigrationSettings.from(config);
    }

    @Produces
    @Singleton
    ClusterFixer clusterFixer(JedisClusterCommands commands, Settings settings, MigrationSettings migration) {
        return new ClusterFixer(commands, tuning(settings, migration));
    }

    @Produces
    @Singleton
    MigrationEngine migrationEngine(JedisClusterCommands commands, Settings settings, MigrationSettings migration) {
        return new MigrationEngine(commands, tuning(settings, migration));
    }

    static MigrationTuning tuning(Settings settings, MigrationSettings migration) {
        return MigrationTuning.defaults(settings.migrationBatchKeys(), settings.migrationParallelism())
                .withLimits(migration.maxLatency(), migration.batchBytes());
    }

    /** Per-slot keys and sampled bytes for keys and memory balances; reads only, so the ordinary pools. */
    @Produces
    @Singleton
    io.cahoots.agent.executor.SlotSizeReader slotSizes(RedisConnections connections) {
        return new io.cahoots.agent.adapter.jedis.JedisSlotSizeReader(connections);
    }

    /** The shard autoscaler's default pool: the lab's spare nodes (none outside the lab). */
    @Produces
    @Singleton
    SpareNodeSource labSpareNodes(LabSupervisor lab) {
        return () -> lab.lab().map(RedisLab::spareNodes).orElse(java.util.List.of());
    }
}
