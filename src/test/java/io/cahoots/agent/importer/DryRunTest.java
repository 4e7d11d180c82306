package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.HostPort;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.cahoots.agent.importer.SlotOwnersTest.A;
import static io.cahoots.agent.importer.SlotOwnersTest.B;
import static io.cahoots.agent.importer.SlotOwnersTest.C;
import static org.assertj.core.api.Assertions.assertThat;

class DryRunTest {

    private static final long MB = 1 << 20;

    private static Map<HostPort, DryRun.TargetMemory> memory(long maxA) {
        return Map.of(A, new DryRun.TargetMemory(maxA, 10 * MB, 512 * MB),
                B, new DryRun.TargetMemory(0, 10 * MB, 512 * MB),
                C, new DryRun.TargetMemory(1024 * MB, 10 * MB, 1000));
    }

    private static DryRun feed(DryRun dry) {
        for (int i = 0; i < 3000; i++) {
            dry.add(("key:" + i).getBytes(StandardCharsets.UTF_8), i % 2 == 0 ? "hash" : "string", 100);
        }
        return dry;
    }

    @Test
    void countsKeysAndBytesPerMasterAndFitsWhenEveryMasterHasRoom() {
        DryRun.Report r = feed(new DryRun(SlotOwnersTest.threeMasters(), memory(1024 * MB)))
                .report("mymaster (127.0.0.1:6380)", Map.of(), 0);
        assertThat(r.keys()).isEqualTo(3000);
        assertThat(r.bytes()).isEqualTo(300_000);
        assertThat(r.masters()).hasSize(3);
        assertThat(r.masters().stream().mapToLong(DryRun.Master::keys).sum()).isEqualTo(3000);
        assertThat(r.masters().get(1).headroomBytes()).isNull(); // B: no maxmemory
        assertThat(r.masters().get(0).headroomBytes()).isEqualTo(1014 * MB);
        assertThat(r.fits()).isTrue();
        assertThat(r.unmovableKeys()).isZero();
        assertThat(r.estimatedSeconds()).isEqualTo(1);
    }

    @Test
    void refusesWhenOneMasterLacksRoom() {
        DryRun.Report r = feed(new DryRun(SlotOwnersTest.threeMasters(), memory(10 * MB + 1000)))
                .report("x", Map.of(), 0);
        assertThat(r.fits()).isFalse();
        assertThat(r.masters().get(0).fits()).isFalse();
        assertThat(r.verdict()).contains("lacks room").contains(A.toString());
    }

    @Test
    void moduleTypesAndValuesOverTheTargetsBulkLimitCannotMove() {
        DryRun dry = new DryRun(SlotOwnersTest.threeMasters(), memory(0));
        assertThat(dry.add("doc".getBytes(), "ReJSON-RL", 10)).contains("not a core type");
        byte[] onC = "foo".getBytes(); // slot 12182: C, whose proto-max-bulk-len is 1000
        assertThat(dry.add(onC, "string", 5000)).contains("proto-max-bulk-len");
        assertThat(dry.add(onC, "string", 500)).isNull();
        assertThat(dry.add("gone".getBytes(), "none", 0)).isNull();
        DryRun.Report r = dry.report("x", Map.of("db1", 5L), 7);
        assertThat(r.unmovableKeys()).isEqualTo(2);
        assertThat(r.unmovableExamples()).extracting(DryRun.Unmovable::key).containsExactly("doc", "foo");
        assertThat(r.keysInOtherDatabases()).containsEntry("db1", 5L);
        assertThat(r.targetKeysBefore()).isEqualTo(7);
    }
}
