package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.config.Credentials;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The one place that opens connections to Redis: credentials, timeouts and (later) TLS are decided here,
 * for data nodes and Sentinels alike. Connections are pooled per node and reused across polls and jobs.
 */
public final class RedisConnections implements AutoCloseable {

    public enum Kind { DATA, SENTINEL }

    static {
        // Jedis gives every connection an 8 KB read and an 8 KB write buffer; the agent holds a connection to every
        // node of clusters of up to 1,000 nodes, where that alone was 16 MB of a 96 MB heap (issue 12). 4 KB holds
        // a node's INFO reply; longer replies take more reads, not more memory. An operator's -Djedis.bufferSize wins.
        if (System.getProperty("jedis.bufferSize") == null) {
            System.setProperty("jedis.bufferSize", "4096");
        }
    }

    private final JedisClientConfig dataConfig;
    private final JedisClientConfig sentinelConfig;
    private final Duration timeout;
    private final Credentials dataCredentials;
    private final RedisTls tls;
    private final Map<HostPort, NodePool> dataPools = new ConcurrentHashMap<>();
    private final Map<HostPort, NodePool> sentinelPools = new ConcurrentHashMap<>();

    public RedisConnections(Credentials data, Credentials sentinel, boolean tls, Duration timeout) {
        this(data, sentinel, tls ? RedisTls.defaults() : RedisTls.off(), timeout);
    }

    public RedisConnections(Credentials data, Credentials sentinel, RedisTls tls, Duration timeout) {
        this.timeout = timeout;
        this.dataCredentials = data;
        this.tls = tls;
        this.dataConfig = clientConfig(data, tls, timeout);
        this.sentinelConfig = clientConfig(sentinel, tls, timeout);
    }

    private static JedisClientConfig clientConfig(Credentials credentials, RedisTls tls, Duration timeout) {
        int millis = (int) Math.max(1, timeout.toMillis());
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder();
        if (tls.enabled()) {
            // Jedis verifies no hostname by itself: the parameters carry JSSE's HTTPS endpoint identification.
            b.ssl(true).sslSocketFactory(tls.socketFactory()).sslParameters(tls.parameters());
        }
        return b
                .user(credentials.username().orElse(null))
                .password(credentials.password().orElse(null))
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                .clientName("cahoots-agent")
                // CLIENT SETINFO only exists from Redis 7.2; skip the extra round trip and its error on 7.0.
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .build();
    }

    /** The same credentials and TLS, another timeout: for long commands such as MIGRATE. */
    public RedisConnections withTimeout(Duration longer, Credentials sentinel, boolean tls) {
        // The TLS material is this instance's (CA, client certificate): the flag only says TLS is on, which it is.
        return new RedisConnections(dataCredentials, sentinel, this.tls, longer);
    }

    public RedisTls tls() {
        return tls;
    }

    /** Data-node credentials, which MIGRATE must pass on to its target. */
    public Credentials dataCredentials() {
        return dataCredentials;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Runs {@code work} on a pooled connection to a data node, translating client errors. */
    public <T> T onNode(HostPort node, Function<Jedis, T> work) {
        return on(Kind.DATA, node, work);
    }

    public <T> T onSentinel(HostPort node, Function<Jedis, T> work) {
        return on(Kind.SENTINEL, node, work);
    }

    public <T> T on(Kind kind, HostPort node, Function<Jedis, T> work) {
        NodePool pool = (kind == Kind.DATA ? dataPools : sentinelPools).computeIfAbsent(node, n -> newPool(kind, n));
        try {
            return pool.run(work);
        } catch (JedisException e) {
            throw translate(node, e);
        }
    }

    /** A dedicated connection outside the pools, for subscriptions and other long-held uses. */
    public Jedis open(Kind kind, HostPort node) {
        try {
            Jedis jedis = new Jedis(new HostAndPort(node.host(), node.port()), kind == Kind.DATA ? dataConfig : sentinelConfig);
            jedis.ping();
            return jedis;
        } catch (JedisException e) {
            throw translate(node, e);
        }
    }

    private NodePool newPool(Kind kind, HostPort node) {
        return new NodePool(node, kind == Kind.DATA ? dataConfig : sentinelConfig, timeout);
    }

    /** Drops the pool of a node that left the cluster, so its connections do not linger. */
    public void forget(HostPort node) {
        NodePool pool = dataPools.remove(node);
        if (pool != null) {
            pool.close();
        }
    }

    public static RedisException translate(HostPort node, JedisException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String refused = AclRules.refusal(message);
        if (refused != null) {
            // A missing command is not a wrong password: say which command and which feature needs it.
            return new RedisException.CommandFailed(node, refused, e);
        }
        if (e instanceof JedisAccessControlException || isAuthError(message)) {
            return new RedisException.AuthFailed(node, "authentication failed: " + message, e);
        }
        if (e instanceof JedisDataException) {
            return isTransient(message) ? new RedisException.Unavailable(node, message, e)
                    : new RedisException.CommandFailed(node, message, e);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null && isAuthError(root.getMessage())) {
            return new RedisException.AuthFailed(node, "authentication failed: " + root.getMessage(), e);
        }
        String tlsReason = TlsFailures.reason(e);
        if (tlsReason != null) {
            return new RedisException.Unavailable(node, tlsReason, e);
        }
        String detail = e instanceof JedisConnectionException && root != e && root.getMessage() != null
                ? root.getClass().getSimpleName() + ": " + root.getMessage() : message;
        return new RedisException.Unavailable(node, detail, e);
    }

    /** Errors a node gives while the cluster settles (failover, a node joining, loading): retry later. */
    public static boolean isTransient(String message) {
        return message.contains("CLUSTERDOWN") || message.contains("TRYAGAIN") || message.contains("LOADING")
                || message.contains("MASTERDOWN") || message.contains("IOERR");
    }

    private static boolean isAuthError(String message) {
        return message.startsWith("NOAUTH") || message.startsWith("WRONGPASS") || message.startsWith("NOPERM")
                || message.contains("invalid password") || message.contains("invalid username-password");
    }

    @Override
    public void close() {
        dataPools.values().forEach(NodePool::close);
        sentinelPools.values().forEach(NodePool::close);
        dataPools.clear();
        sentinelPools.clear();
    }
}
