package io.cahoots.agent.boot;

import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.config.Settings;
import io.cahoots.agent.redis.AclRules;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * With {@code AGENT_LAB=true}, starts a local lab of real {@code redis-server} processes (3 masters,
 * 3 replicas, 3 spare nodes, a Sentinel group) and points the settings at it, the agent as its least-privilege
 * ACL user. The lab stops with the agent. The spare nodes are also the Redis shard autoscaler's pool when
 * {@code AGENT_REDIS_SCALING_SPARE_NODES} is unset: one shard step takes two.
 */
@Singleton
public class LabSupervisor {

    private static final Logger LOG = Logger.getLogger(LabSupervisor.class);

    /** The agent's user on the lab's data nodes: the name the kit's users.acl gives it. */
    static final String AGENT_USER = "cahoots-agent";

    private volatile RedisLab lab;

    /** {@code AGENT_LAB_TLS}: the lab's nodes and Sentinels speak TLS only, with a throwaway CA. */
    @jakarta.inject.Inject
    io.cahoots.agent.config.SecurityConfig security;

    /** {@code AGENT_LAB_MAXMEMORY}: read here, as only the lab uses it. */
    @jakarta.inject.Inject
    io.cahoots.agent.config.AgentConfig agentConfig;

    Settings apply(Settings settings) {
        if (!settings.lab()) {
            return settings;
        }
        long maxmemory = labMaxmemory();
        long started = System.nanoTime();
        String agentPassword = generateToken();
        lab = RedisLab.start(LabSpec.builder()
                .masters(3).replicasPerMaster(1).spareNodes(3)
                .sentinelGroup(true).sentinelReplicas(1).sentinels(3)
                // 3 s rather than the lab's 1 s default: a busy laptop must not see spurious failovers.
                .clusterNodeTimeoutMillis(3000)
                .tls(labTls())
                // The agent works as the least-privilege user operators give it (docs/security.md), so that the
                // lab shows what the kit needs; the default user stays open for redis-cli and replication.
                .extraUser(AGENT_USER, agentPassword, AclRules.rule())
                .maxmemoryBytes(maxmemory)
                .build());
        Credentials agent = new Credentials(Optional.of(AGENT_USER), Optional.of(agentPassword));
        Settings pointed = settings.withRedis(lab.clusterNodes(), lab.sentinels(), agent, Credentials.NONE);
        String token = settings.adminToken().orElseGet(LabSupervisor::generateToken);
        pointed = pointed.withAdminToken(token);
        LOG.infof("lab ready in %d ms", (System.nanoTime() - started) / 1_000_000);
        lab.tls().ifPresent(t -> LOG.infof("lab TLS: every node and Sentinel on TLS only; CA %s, client certificate %s, key %s"
                + " (redis-cli --tls --cacert %s --cert %s --key %s -p <port>)", t.ca(), t.clientCert(), t.clientKey(),
                t.ca(), t.clientCert(), t.clientKey()));
        LOG.infof("lab: the agent connects as the ACL user '%s' with only the commands of AclRules (docs/security.md)", AGENT_USER);
        LOG.infof("lab cluster masters %s, replicas %s, spare nodes %s", lab.masters(), lab.replicas(), lab.spareNodes());
        if (maxmemory > 0) {
            LOG.infof("lab: maxmemory %d bytes on every data node (AGENT_LAB_MAXMEMORY)", maxmemory);
        }
        LOG.infof("lab sentinel group '%s': primary %s, replicas %s, sentinels %s", lab.sentinelMasterName(),
                lab.sentinelPrimary(), lab.sentinelReplicas(), lab.sentinels());
        // The lab is a local playground: showing its token is what makes it usable. Outside the lab the
        // token is never logged.
        LOG.infof("lab admin token: %s%s", token, settings.adminToken().isPresent() ? " (from AGENT_ADMIN_TOKEN)" : " (generated)");
        return pointed;
    }

    /** 0 when unset; the walkthrough of docs/redis-scaling.md sets a few MB so that filling the lab is quick. */
    private long labMaxmemory() {
        Optional<String> text = agentConfig == null ? Optional.empty() : agentConfig.labMaxmemory();
        if (text.isEmpty() || text.get().isBlank()) {
            return 0;
        }
        long bytes;
        try {
            bytes = io.cahoots.agent.config.PolicySettings.parseMemory(text.get());
        } catch (IllegalArgumentException | ArithmeticException e) {
            bytes = -1;
        }
        if (bytes < 1024L * 1024) {
            throw new io.cahoots.agent.config.InvalidSettingException("AGENT_LAB_MAXMEMORY", "'" + text.get() + "'",
                    "a memory size as in redis.conf such as 32mb, at least 1mb");
        }
        return bytes;
    }

    private boolean labTls() {
        return security != null && security.labTls();
    }

    public Optional<RedisLab> lab() {
        return Optional.ofNullable(lab);
    }

    void stop(@Observes ShutdownEvent event) {
        RedisLab l = lab;
        if (l != null) {
            l.close();
        }
    }

    private static String generateToken() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
