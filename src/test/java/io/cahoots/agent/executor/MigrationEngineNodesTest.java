package io.cahoots.agent.executor;

import io.cahoots.agent.planner.Move;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which moves may run together: one stream per source, never a node both ways, several sources into one target only
 * without a latency budget.
 */
class MigrationEngineNodesTest {

    private static Move move(String from, String to) {
        return new Move(from, to, List.of(), 0);
    }

    @Test
    void threeSourcesMayFeedOneNewMasterAtOnce() {
        MigrationEngine.Nodes nodes = new MigrationEngine.Nodes(true);
        for (String source : List.of("a", "b", "c")) {
            Move m = move(source, "new");
            assertThat(nodes.free(m)).as(source + " -> new").isTrue();
            nodes.start(m);
        }
    }

    @Test
    void aSourceRunsOneMoveAtATime() {
        MigrationEngine.Nodes nodes = new MigrationEngine.Nodes(true);
        nodes.start(move("a", "x"));
        assertThat(nodes.free(move("a", "y"))).isFalse();
    }

    @Test
    void aNodeIsNeverSourceAndTargetAtOnce() {
        MigrationEngine.Nodes nodes = new MigrationEngine.Nodes(true);
        nodes.start(move("a", "x"));
        assertThat(nodes.free(move("x", "b"))).as("the running target as a source").isFalse();
        assertThat(nodes.free(move("b", "a"))).as("the running source as a target").isFalse();
    }

    @Test
    void aTargetStaysTakenUntilItsLastMoveFinishes() {
        MigrationEngine.Nodes nodes = new MigrationEngine.Nodes(true);
        Move fromA = move("a", "x");
        Move fromB = move("b", "x");
        nodes.start(fromA);
        nodes.start(fromB);
        nodes.finish(fromA);
        assertThat(nodes.free(move("x", "c"))).as("x still receives from b").isFalse();
        assertThat(nodes.free(move("a", "c"))).as("a is free again").isTrue();
        nodes.finish(fromB);
        assertThat(nodes.free(move("x", "c"))).isTrue();
    }

    @Test
    void underALatencyBudgetATargetReceivesOneMoveAtATime() {
        MigrationEngine.Nodes nodes = new MigrationEngine.Nodes(false);
        Move fromA = move("a", "new");
        nodes.start(fromA);
        assertThat(nodes.free(move("b", "new"))).isFalse();
        assertThat(nodes.free(move("b", "other"))).as("a disjoint pair").isTrue();
        nodes.finish(fromA);
        assertThat(nodes.free(move("b", "new"))).isTrue();
    }
}
