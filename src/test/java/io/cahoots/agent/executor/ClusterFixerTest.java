package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.cluster.OpenSlot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The fix's rules on a scripted cluster ({@link FakeCluster}): no redis-server, every step visible. */
class ClusterFixerTest {

    /** One attempt per step: a refusal shows at once instead of after the retry budget. */
    private static final MigrationTuning TUNING = new MigrationTuning(100, 1, 16, 1_000, 1, Duration.ofSeconds(1));
    private static final int KEYS = 40;

    private FakeCluster cluster;

    @BeforeEach
    void cluster() {
        cluster = new FakeCluster();
        cluster.master("other", 7002, 0, 8191);
        cluster.master("source", 7001, 8192, 16383);
        cluster.master("target", 7003, 0, -1);
        cluster.replica("source-replica", 7004, "source");
    }

    /**
     * The case NodeFailureIT met on real nodes: the source of a move dies with a slot half moved, its replica
     * takes over, and the target, which has the slot importing, never takes the new owner from gossip. Its view
     * still gives the slot to the dead node, so it is in cluster_state:fail and every MIGRATE into or out of it
     * answers CLUSTERDOWN, for ever. The fix tells it the owner first, then gathers the keys.
     */
    @Test
    void aTargetThatStillNamesTheDeadSourceIsToldTheOwnerBeforeTheKeysMove() {
        int slot = FakeCluster.slotOf("{tag}");
        assertThat(slot).as("a slot of the source").isGreaterThanOrEqualTo(8192);
        keys().forEach(k -> cluster.write(k, "v-" + k));
        cluster.setSlots(cluster.node("target").address, List.of(slot), ClusterCommands.SlotState.IMPORTING, "source");
        cluster.setSlots(cluster.node("source").address, List.of(slot), ClusterCommands.SlotState.MIGRATING, "target");
        // Half the slot's keys reached the target before the source died.
        cluster.migrate(cluster.node("source").address, cluster.node("target").address,
                List.of(keys().subList(0, KEYS / 2).stream().map(String::getBytes).toList()), false, 1000);

        cluster.failover("source", "source-replica");
        cluster.gossip();
        assertThat(cluster.stateOk(cluster.node("target"))).as("the target's view names the dead source").isFalse();
        ClusterSnapshot broken = cluster.snapshot();
        assertThat(broken.check().openSlots()).extracting(OpenSlot::slot).containsExactly(slot);

        List<String> actions = new ClusterFixer(cluster, TUNING).fix(broken, false, job());

        assertThat(actions.get(0)).contains("127.0.0.1:7003 named a stale owner").contains("source-replica");
        ClusterSnapshot fixed = cluster.snapshot();
        assertThat(fixed.check().openSlots()).isEmpty();
        assertThat(fixed.check().agree()).isTrue();
        for (String key : keys()) {
            assertThat(cluster.whereIs(key)).as(key).isEqualTo(Map.of("source-replica", "v-" + key));
        }
        for (String id : List.of("other", "target", "source-replica")) {
            assertThat(cluster.stateOk(cluster.node(id))).as(id).isTrue();
        }
    }

    /** A slot left migrating and importing between two live masters: the move is finished, not undone. */
    @Test
    void aMoveLeftOpenBetweenLiveMastersIsFinishedTowardsTheTarget() {
        int slot = FakeCluster.slotOf("{tag}");
        keys().forEach(k -> cluster.write(k, "v-" + k));
        cluster.setSlots(cluster.node("target").address, List.of(slot), ClusterCommands.SlotState.IMPORTING, "source");
        cluster.setSlots(cluster.node("source").address, List.of(slot), ClusterCommands.SlotState.MIGRATING, "target");

        List<String> actions = new ClusterFixer(cluster, TUNING).fix(cluster.snapshot(), false, job());

        assertThat(actions).singleElement().asString().contains("finished the move");
        keys().forEach(k -> assertThat(cluster.whereIs(k)).isEqualTo(Map.of("target", "v-" + k)));
        cluster.gossip(); // replicas learn the new owner from the bus; every master was told directly
        assertThat(cluster.snapshot().check().problems()).isEmpty();
    }

    private static List<String> keys() {
        return IntStream.range(0, KEYS).mapToObj(i -> "{tag}:" + i).toList();
    }

    private static Job job() {
        return new Job("fix", "fix", "test", Clock.systemUTC());
    }
}
