package io.cahoots.agent.executor;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The move protocol's rules on a scripted cluster ({@link FakeCluster}). */
class SlotMigratorTest {

    private static final MigrationTuning TUNING = new MigrationTuning(7, 1, 16, 1_000, 1, Duration.ofSeconds(1));
    private static final int KEYS = 50;

    private FakeCluster cluster;
    private SlotMigrator.Pair pair;
    private int slot;

    @BeforeEach
    void cluster() {
        cluster = new FakeCluster();
        cluster.master("other", 7002, 0, 8191);
        cluster.master("source", 7001, 8192, 16383);
        cluster.master("target", 7003, 0, -1);
        slot = FakeCluster.slotOf("{tag}");
        keys().forEach(k -> cluster.write(k, "v-" + k));
        pair = new SlotMigrator.Pair("source", cluster.node("source").address, "target", cluster.node("target").address,
                List.of(cluster.node("other").address));
    }

    @Test
    void aChunkMovesEveryKeyInBatchesAndEndsOwnedByTheTargetOnEveryMaster() {
        long moved = new SlotMigrator(cluster, TUNING).moveChunk(pair, List.of(slot), false);

        assertThat(moved).isEqualTo(KEYS);
        keys().forEach(k -> assertThat(cluster.whereIs(k)).isEqualTo(Map.of("target", "v-" + k)));
        // 50 keys, 7 per MIGRATE.
        assertThat(cluster.migrates).hasSize(8).allMatch(m -> m.equals("source->target " + slot));
        for (String master : List.of("source", "target", "other")) {
            FakeCluster.Node n = cluster.node(master);
            assertThat(n.owner.get(slot)).as(master).isEqualTo("target");
            assertThat(n.importing).as(master).isEmpty();
            assertThat(n.migrating).as(master).isEmpty();
        }
    }

    @Test
    void aKeyAlreadyOnTheTargetWithTheSameValueIsReplacedAndCounted() {
        cluster.node("target").slotKeys(slot).put("{tag}:3", "v-{tag}:3");

        long moved = new SlotMigrator(cluster, TUNING).moveChunk(pair, List.of(slot), false);

        assertThat(moved).isEqualTo(KEYS);
        assertThat(cluster.whereIs("{tag}:3")).isEqualTo(Map.of("target", "v-{tag}:3"));
    }

    @Test
    void aKeyOnBothNodesWithDifferentValuesStopsTheMoveNamingItAndLeavesTheSlotOpen() {
        cluster.node("target").slotKeys(slot).put("{tag}:3", "someone else's");

        assertThatThrownBy(() -> new SlotMigrator(cluster, TUNING).moveChunk(pair, List.of(slot), false))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("BUSYKEY").hasMessageContaining("{tag}:3").hasMessageContaining("\"replace\": true");

        // Nothing lost: the source keeps its copy, the slot stays open for the fix, the target's copy is untouched.
        assertThat(cluster.whereIs("{tag}:3")).isEqualTo(Map.of("source", "v-{tag}:3", "target", "someone else's"));
        assertThat(cluster.node("source").migrating).containsEntry(slot, "target");
        assertThat(cluster.node("target").importing).containsEntry(slot, "source");
        assertThat(cluster.node("source").owner.get(slot)).isEqualTo("source");
    }

    @Test
    void withReplaceTheSourcesCopyWins() {
        cluster.node("target").slotKeys(slot).put("{tag}:3", "someone else's");

        new SlotMigrator(cluster, TUNING).moveChunk(pair, List.of(slot), true);

        assertThat(cluster.whereIs("{tag}:3")).isEqualTo(Map.of("target", "v-{tag}:3"));
    }

    @Test
    void aDeadTargetFailsTheMoveWithSlotsNodesAndCauseAndLosesNothing() {
        cluster.node("target").alive = false;

        assertThatThrownBy(() -> new SlotMigrator(cluster, TUNING).moveChunk(pair, List.of(slot), false))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("slots " + slot).hasMessageContaining("127.0.0.1:7001").hasMessageContaining("127.0.0.1:7003")
                .hasMessageContaining("Connection refused");
        keys().forEach(k -> assertThat(cluster.whereIs(k)).isEqualTo(Map.of("source", "v-" + k)));
    }

    private static List<String> keys() {
        return IntStream.range(0, KEYS).mapToObj(i -> "{tag}:" + i).toList();
    }
}
