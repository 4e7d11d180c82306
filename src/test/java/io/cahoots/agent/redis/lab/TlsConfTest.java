package io.cahoots.agent.redis.lab;

import io.cahoots.agent.cluster.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The kit's redis-conf/tls.conf has exactly the TLS directives the TLS lab runs with (and TlsLabTest proves). */
class TlsConfTest {

    @Test
    void theKitsTlsLinesAreTheLabs(@TempDir Path dir) throws Exception {
        LabTls tls = LabTls.generate(dir.resolve("tls"));
        LabSpec spec = LabSpec.builder().tls(true).build();
        Set<String> lab = directives(NodeConfig.data(spec, 7000, 17000, dir, tls));
        lab.addAll(directives(NodeConfig.sentinel(spec, 7001, dir, new HostPort("127.0.0.1", 7000), tls)));
        lab.removeIf(d -> !d.startsWith("tls-") && !d.equals("port"));
        Set<String> kit = directives(Files.readString(Path.of("redis-conf/tls.conf")));
        assertThat(kit).isEqualTo(lab);
        assertThat(Files.readString(Path.of("redis-conf/tls.conf"))).contains("port 0", "tls-cluster yes",
                "tls-replication yes", "tls-auth-clients yes");
    }

    private static Set<String> directives(String conf) {
        Set<String> out = new TreeSet<>();
        conf.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(l -> out.add(l.split("\\s+")[0]));
        return out;
    }
}
