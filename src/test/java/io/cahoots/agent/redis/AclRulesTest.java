package io.cahoots.agent.redis;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The rule in code, in the kit (redis-conf/users.acl) and in the docs is one rule; refusals name command and feature. */
class AclRulesTest {

    @Test
    void theKitGivesTheAgentExactlyTheRuleInCode() throws Exception {
        String agentLine = Files.readAllLines(Path.of("redis-conf/users.acl")).stream()
                .filter(l -> l.startsWith("user cahoots-agent ")).findFirst().orElseThrow();
        assertThat(agentLine).endsWith(" " + AclRules.rule());
        assertThat(AclRules.rule()).startsWith("~* resetchannels").contains(" -@all +ping").doesNotContain("+@all");
    }

    @Test
    void theDocsListEveryCommandUnderItsFeature() throws Exception {
        String doc = Files.readString(Path.of("docs/security.md"));
        AclRules.DATA_NODE_COMMANDS.forEach((feature, commands) -> {
            String row = doc.lines().filter(l -> l.startsWith("| " + feature + " |")).findFirst()
                    .orElseThrow(() -> new AssertionError("docs/security.md has no row for " + feature));
            for (String c : commands) {
                assertThat(row).as(feature).contains(c.replace("|", "\\|"));
            }
        });
    }

    @Test
    void aRefusalNamesTheCommandAndTheFeature() {
        assertThat(AclRules.refusal("NOPERM User cahoots-agent has no permissions to run the 'cluster|setslot' command"))
                .isEqualTo("the agent's Redis user may not run 'cluster|setslot', which the agent needs for migrate:"
                        + " add +cluster|setslot to its ACL rule (docs/security.md)");
        assertThat(AclRules.refusal("ERR wrong number of arguments")).isNull();
        assertThat(AclRules.featureOf("CONFIG|SET")).contains("policy");
        assertThat(AclRules.featureOf("no-such-command")).isEmpty();
        assertThat(List.copyOf(AclRules.DATA_NODE_COMMANDS.keySet())).contains("observe", "migrate", "policy", "pub/sub push");
    }
}
