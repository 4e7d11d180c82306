package io.cahoots.agent.redis.lab;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lab's data-node configuration: maxmemory only when asked for (AGENT_LAB_MAXMEMORY). */
class NodeConfigTest {

    @Test
    void noMaxmemoryByDefault() {
        String conf = NodeConfig.data(LabSpec.builder().build(), 7000, 17000, Path.of("/tmp/x"), null);
        assertThat(conf).doesNotContain("maxmemory");
    }

    @Test
    void maxmemoryOnEveryDataNodeWhenSet() {
        LabSpec spec = LabSpec.builder().maxmemoryBytes(24L * 1024 * 1024).build();
        assertThat(NodeConfig.data(spec, 7000, 17000, Path.of("/tmp/x"), null)).contains("maxmemory 25165824\n");
        // a Sentinel-group node (no bus port) gets it too
        assertThat(NodeConfig.data(spec, 7001, 0, Path.of("/tmp/x"), null)).contains("maxmemory 25165824\n");
    }

    @Test
    void negativeMaxmemoryIsRefused() {
        assertThatThrownBy(() -> LabSpec.builder().maxmemoryBytes(-1).build())
                .hasMessageContaining("maxmemory");
    }
}
