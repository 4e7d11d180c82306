package io.cahoots.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * Who may read the API and how the agent reaches Redis over TLS, typed as in {@link AgentConfig}. A mapping of
 * its own beside {@link AgentConfig} (same {@code agent} prefix) so that the core settings record keeps its shape;
 * {@link SecuritySettings#from(SecurityConfig)} validates it.
 */
@ConfigMapping(prefix = "agent")
public interface SecurityConfig {

    /** When set, every read under {@code /api/v1} needs this token or an admin token. */
    Optional<String> readToken();

    /** PEM file of the CA(s) that signed the Redis and Sentinel certificates. */
    Optional<String> redisTlsCa();

    /** PEM client certificate (chain) for mutual TLS; needs {@link #redisTlsKey()}. */
    Optional<String> redisTlsCert();

    /** PEM PKCS#8 private key of {@link #redisTlsCert()}. */
    Optional<String> redisTlsKey();

    @WithDefault("true")
    @WithConverter(Syntax.Flag.class)
    boolean redisTlsVerifyHostname();

    /** With {@code AGENT_LAB}: the lab's nodes and Sentinels speak TLS only, signed by a throwaway CA. */
    @WithDefault("false")
    @WithConverter(Syntax.Flag.class)
    boolean labTls();
}
