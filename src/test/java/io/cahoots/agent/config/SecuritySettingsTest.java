package io.cahoots.agent.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecuritySettingsTest {

    private static SecuritySettings settings(Map<String, String> properties) {
        return SecuritySettings.from(ConfigMaps.mapping(SecurityConfig.class, properties));
    }

    @Test
    void defaultsAreOpenReadsAndVerifiedHostnames() {
        SecuritySettings s = settings(Map.of());
        assertThat(s.readToken()).isEmpty();
        assertThat(s.tlsCa()).isEmpty();
        assertThat(s.verifyHostname()).isTrue();
    }

    @Test
    void aShortReadTokenIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> settings(Map.of("agent.read-token", "secret")))
                .hasMessageContaining("AGENT_READ_TOKEN=<hidden, 6 characters>").hasMessageNotContaining("secret");
        assertThat(settings(Map.of("agent.read-token", "0123456789abcdef0")).toString()).doesNotContain("0123456789abcdef0");
    }

    @Test
    void tlsFilesMustExistAndBePem(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> settings(Map.of("agent.redis-tls-ca", dir.resolve("nope.pem").toString())))
                .hasMessageContaining("AGENT_REDIS_TLS_CA=").hasMessageContaining("a readable PEM file");
        Path notPem = Files.writeString(dir.resolve("x.pem"), "hello");
        assertThatThrownBy(() -> settings(Map.of("agent.redis-tls-ca", notPem.toString())))
                .hasMessageContaining("a PEM file with a CERTIFICATE block");
        Path cert = Files.writeString(dir.resolve("c.pem"), "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> settings(Map.of("agent.redis-tls-cert", cert.toString())))
                .hasMessageContaining("AGENT_REDIS_TLS_CERT").hasMessageContaining("AGENT_REDIS_TLS_KEY");
        assertThatThrownBy(() -> settings(Map.of("agent.redis-tls-verify-hostname", "yes")))
                .hasMessageContaining("AGENT_REDIS_TLS_VERIFY_HOSTNAME='yes': expected true or false");
        assertThat(settings(Map.of("agent.redis-tls-ca", cert.toString())).tlsCa()).contains(cert);
    }
}
