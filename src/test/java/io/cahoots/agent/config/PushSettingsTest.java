package io.cahoots.agent.config;

import io.smallrye.config.SmallRyeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Push settings are built from maps through the real mapping, never from this process' environment. */
class PushSettingsTest {

    static PushSettings settings(Map<String, String> properties) {
        return PushSettings.from(ConfigMaps.mapping(PushConfig.class, properties));
    }

    @Test
    void defaults() {
        PushSettings s = settings(Map.of());
        assertThat(s.webhooks()).isEmpty();
        assertThat(s.webhookSecret()).isEmpty();
        assertThat(s.channel()).isEqualTo("cahoots:topology");
        assertThat(s.coalesce()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.heartbeat()).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.webhookTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.webhookBackoffMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.webhookRetryFor()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void readsEverySettingAndNeverShowsTheSecret() {
        PushSettings s = settings(Map.of(
                "agent.push.webhooks", " https://app.internal:8443/hooks/topology?token=abc , http://[::1]:9000/h ",
                "agent.push.webhook-secret", "s3cret-s3cret",
                "agent.push.channel", "apps:topology",
                "agent.push.coalesce", "0",
                "agent.push.heartbeat", "2s",
                "agent.push.webhook-timeout", "750ms",
                "agent.push.webhook-backoff-max", "1s",
                "agent.push.webhook-retry-for", "1m"));
        assertThat(s.webhooks()).containsExactly(URI.create("https://app.internal:8443/hooks/topology?token=abc"),
                URI.create("http://[::1]:9000/h"));
        assertThat(s.webhookSecret()).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("s3cret-s3cret"));
        assertThat(s.channel()).isEqualTo("apps:topology");
        assertThat(s.coalesce()).isZero();
        assertThat(s.heartbeat()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.webhookTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(s.webhookBackoffMax()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.webhookRetryFor()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.toString()).doesNotContain("s3cret").doesNotContain("token=abc").contains("***");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "agent.push.webhooks        | not a url                   | AGENT_PUSH_WEBHOOKS='not a url': expected comma-separated absolute http:// or https:// URLs",
            "agent.push.webhooks        | ftp://host/x                | unsupported scheme 'ftp'",
            "agent.push.webhooks        | /relative/path              | no scheme",
            "agent.push.webhooks        | http:///nohost              | no host",
            "agent.push.webhooks        | http://h/a#frag             | fragment",
            "agent.push.webhooks        | http://h/a,http://h/a       | listed twice",
            "agent.push.webhooks        | https://user:pw@h:x/        | AGENT_PUSH_WEBHOOKS='https://<hidden>@h:x/'",
            "agent.push.channel         | a b                         | AGENT_PUSH_CHANNEL='a b'",
            "agent.push.coalesce        | 2h                          | AGENT_PUSH_COALESCE='2h'",
            "agent.push.heartbeat       | 10ms                        | AGENT_PUSH_HEARTBEAT='10ms'",
            "agent.push.webhook-timeout | soon                        | AGENT_PUSH_WEBHOOK_TIMEOUT='soon'",
    })
    void aBadValueNamesTheVariableTheValueAndWhatIsExpected(String property, String value, String message) {
        assertThatThrownBy(() -> settings(Map.of(property, value)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining("\n")
                .hasMessageNotContaining(":pw@");
    }

    @Test
    void aSecretWithoutWebhooksIsAMistake() {
        assertThatThrownBy(() -> settings(Map.of("agent.push.webhook-secret", "k")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("AGENT_PUSH_WEBHOOK_SECRET").hasMessageContaining("AGENT_PUSH_WEBHOOKS")
                .hasMessageNotContaining("=k");
    }

    @Test
    void twoSecretsAreARotationAndWhsecIsBase64() {
        PushSettings two = settings(Map.of("agent.push.webhooks", "http://h/x", "agent.push.webhook-secret",
                "whsec_" + java.util.Base64.getEncoder().encodeToString("raw-key".getBytes()) + ",old-secret"));
        assertThat(two.webhookKeys()).hasSize(2);
        assertThat(new String(two.webhookKeys().get(0))).isEqualTo("raw-key");
        assertThat(new String(two.webhookKeys().get(1))).isEqualTo("old-secret");
        assertThatThrownBy(() -> settings(Map.of("agent.push.webhooks", "http://h/x", "agent.push.webhook-secret", "a,b,c")))
                .hasMessageContaining("AGENT_PUSH_WEBHOOK_SECRET").hasMessageContaining("two separated by a comma")
                .hasMessageNotContaining("a,b,c");
        assertThatThrownBy(() -> settings(Map.of("agent.push.webhooks", "http://h/x", "agent.push.webhook-secret", "a,")))
                .hasMessageContaining("AGENT_PUSH_WEBHOOK_SECRET");
    }

    @Test
    void environmentNamesMatchTheContract() {
        assertThat(Settings.environmentName("agent.push.webhook-secret")).isEqualTo("AGENT_PUSH_WEBHOOK_SECRET");
        assertThat(Settings.environmentName("agent.push.webhooks")).isEqualTo("AGENT_PUSH_WEBHOOKS");
        assertThat(Settings.environmentName("agent.push.channel")).isEqualTo("AGENT_PUSH_CHANNEL");
    }
}
