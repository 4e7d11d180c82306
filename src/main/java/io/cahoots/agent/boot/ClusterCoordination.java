package io.cahoots.agent.boot;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.executor.JobManager;
import io.cahoots.agent.fleet.Fleet;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.RedisTls;
import io.cahoots.agent.redis.RedissonClients;
import io.cahoots.agent.adapter.redisson.RedissonFleetStore;
import io.cahoots.agent.adapter.redisson.RedissonJobStore;
import io.cahoots.agent.adapter.redisson.RedissonJournal;
import io.cahoots.agent.adapter.redisson.RedissonLease;
import io.cahoots.agent.redis.SentinelClient;
import io.cahoots.agent.lifecycle.StartupPhase;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.TreeSet;

/**
 * Where the sidecars of one deployment meet: the Redis they watch. With a cluster configured, on the cluster; with
 * only Sentinel, on the primary of one Sentinel-managed master (the first of {@code AGENT_SENTINEL_MASTERS}, else the
 * first name the Sentinels know). There live the fleet's membership and leader lock, the jobs (lease, journal, records)
 * and the numbered topology view, so that any number of sidecars act as one agent (see {@link Fleet}).
 */
@Singleton
public class ClusterCoordination {

    private static final Logger LOG = Logger.getLogger(ClusterCoordination.class);

    private RedissonClients redisson;

    void install(@Observes @Priority(StartupPhase.COORDINATION) StartupEvent event, Settings settings, JobManager jobs, Fleet fleet,
                 RedisConnections connections, RedisTls tls) {
        redisson = clients(settings, connections, tls).orElse(null);
        if (redisson == null) {
            return;
        }
        String agent = fleet.self().id();
        RedissonJobStore store = new RedissonJobStore(redisson);
        jobs.coordinate(new RedissonLease(redisson, agent), new RedissonJournal(redisson), store, agent);
        fleet.install(new RedissonFleetStore(redisson, Fleet.leaderTtl(settings.leaseTimeout())));
    }

    private static Optional<RedissonClients> clients(Settings settings, RedisConnections connections, RedisTls tls) {
        if (!settings.clusterNodes().isEmpty()) {
            return Optional.of(new RedissonClients(settings.clusterNodes(), settings.redisCredentials(), tls,
                    settings.leaseTimeout()));
        }
        if (settings.sentinelNodes().isEmpty()) {
            return Optional.empty();
        }
        Optional<String> master = settings.sentinelMasters().stream().findFirst()
                .or(() -> firstKnownMaster(settings, connections));
        if (master.isEmpty()) {
            LOG.warn("no Sentinel answered with a master name: this sidecar acts alone (set AGENT_SENTINEL_MASTERS so "
                    + "that the sidecars of a deployment share one store)");
            return Optional.empty();
        }
        LOG.infof("the fleet store is the primary of Sentinel master %s", master.get());
        return Optional.of(RedissonClients.sentinel(settings.sentinelNodes(), master.get(), settings.redisCredentials(),
                settings.sentinelCredentials(), tls, settings.leaseTimeout()));
    }

    private static Optional<String> firstKnownMaster(Settings settings, RedisConnections connections) {
        SentinelClient client = new SentinelClient(connections);
        for (HostPort s : settings.sentinelNodes()) {
            try {
                TreeSet<String> names = new TreeSet<>();
                client.masters(s).forEach(m -> names.add(m.get("name")));
                if (!names.isEmpty()) {
                    return Optional.of(names.first());
                }
            } catch (RuntimeException e) {
                LOG.debugf("Sentinel %s did not list its masters: %s", s, e.getMessage());
            }
        }
        return Optional.empty();
    }

    void close(@Observes ShutdownEvent event) {
        if (redisson != null) {
            redisson.close();
        }
    }
}
