package io.cahoots.agent.topology;

import io.cahoots.agent.boot.StartupGate;
import io.cahoots.agent.testing.AgentProcess;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged agent refuses to start with a malformed webhook URL, in one line, read from the environment. */
class PushStartupIT {

    @Test
    void aMalformedWebhookUrlStopsTheAgentWithOneClearLine() throws Exception {
        try (AgentProcess agent = AgentProcess.start(Map.of("AGENT_PUSH_WEBHOOKS", "https://ok.internal/h, ftp://files/h"))) {
            assertThat(agent.awaitExit(Duration.ofSeconds(60))).isEqualTo(StartupGate.EXIT_INVALID_SETTING);
            String line = agent.output().lines().filter(l -> l.startsWith("Invalid setting")).findFirst()
                    .orElseThrow(() -> new AssertionError("no 'Invalid setting' line in:\n" + agent.output()));
            assertThat(line).isEqualTo("Invalid setting AGENT_PUSH_WEBHOOKS='ftp://files/h': expected comma-separated absolute"
                    + " http:// or https:// URLs such as https://app.internal:8443/hooks/topology (unsupported scheme 'ftp')");
            assertThat(agent.output()).doesNotContain("Exception");
        }
    }
}
