package io.cahoots.agent.pods;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.cluster.NodeEntry;
import io.cahoots.agent.cluster.NodeFlag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.cahoots.agent.pods.PodsFixtures.at;
import static io.cahoots.agent.pods.PodsFixtures.entry;
import static io.cahoots.agent.pods.PodsFixtures.id;
import static org.assertj.core.api.Assertions.assertThat;

class HealPlannerTest {

    /** Views of n nodes, node i now at {@code now[i]}, each listing the others at {@code listed[j]}. */
    static Map<HostPort, List<NodeEntry>> views(String[] now, String[] listed, boolean connectedWhereListedIsNow) {
        Map<HostPort, List<NodeEntry>> views = new LinkedHashMap<>();
        for (int i = 0; i < now.length; i++) {
            List<NodeEntry> view = new ArrayList<>();
            for (int j = 0; j < now.length; j++) {
                boolean current = listed[j].equals(now[j]);
                view.add(entry(j, i == j ? listed[j] : listed[j], i == j, i == j || (current && connectedWhereListedIsNow),
                        i != j && !current ? new NodeFlag[]{NodeFlag.PFAIL} : new NodeFlag[0]));
            }
            views.put(at(now[i]), view);
        }
        return views;
    }

    @Test
    void aHealthyClusterNeedsNothing() {
        String[] ips = {"10.0.0.1", "10.0.0.2", "10.0.0.3"};
        HealPlanner.Plan p = HealPlanner.plan(views(ips, ips, true));
        assertThat(p.isolated()).isEmpty();
        assertThat(p.needed()).isFalse();
        assertThat(p.staleEntries()).isZero();
    }

    @Test
    void everyPodRestartedAtNewAddressesIsolatesEveryNodeAndEachMeetsItsPeersWhereTheyAreNow() {
        String[] old = {"10.0.0.1", "10.0.0.2", "10.0.0.3"};
        String[] now = {"10.0.1.1", "10.0.1.2", "10.0.1.3"};
        HealPlanner.Plan p = HealPlanner.plan(views(now, old, true));
        assertThat(p.isolated()).containsExactly(at(now[0]), at(now[1]), at(now[2]));
        assertThat(p.meets()).hasSize(6);
        assertThat(p.meets()).contains(new HealPlanner.Meet(at(now[0]), id(1), at(now[1]), 16380),
                new HealPlanner.Meet(at(now[2]), id(0), at(now[0]), 16379));
        assertThat(p.meets()).noneMatch(m -> m.node().equals(m.peer()));
    }

    @Test
    void oneNodeMovedIsLeftToGossipBecauseItStillReachesItsPeers() {
        String[] old = {"10.0.0.1", "10.0.0.2", "10.0.0.3"};
        String[] now = {"10.0.0.1", "10.0.0.2", "10.0.1.3"};
        // Node 2 lists 0 and 1 where they are (connected); they list 2 at its old address.
        Map<HostPort, List<NodeEntry>> v = views(now, old, true);
        v.put(at(now[2]), List.of(entry(0, now[0], false, true), entry(1, now[1], false, true), entry(2, old[2], true, true)));
        HealPlanner.Plan p = HealPlanner.plan(v);
        assertThat(p.isolated()).isEmpty();
        assertThat(p.needed()).isFalse();
        assertThat(p.staleEntries()).isEqualTo(2);
    }

    @Test
    void linksStillConnectingAtTheRightAddressesAreNoReasonToMeet() {
        String[] ips = {"10.0.0.1", "10.0.0.2"};
        HealPlanner.Plan p = HealPlanner.plan(views(ips, ips, false));
        assertThat(p.isolated()).hasSize(2);
        assertThat(p.needed()).isFalse();
    }

    @Test
    void anEmptyNodeAndAStrangerAreNeverMet() {
        Map<HostPort, List<NodeEntry>> v = views(new String[]{"10.0.1.1", "10.0.1.2"}, new String[]{"10.0.0.1", "10.0.0.2"}, true);
        v.put(at("10.0.9.9"), List.of(entry(9, "10.0.9.9", true, true))); // a new pod: knows nobody
        HealPlanner.Plan p = HealPlanner.plan(v);
        assertThat(p.isolated()).doesNotContain(at("10.0.9.9"));
        assertThat(p.meets()).noneMatch(m -> m.node().equals(at("10.0.9.9")) || m.peer().equals(at("10.0.9.9")));
    }

    /** Seeded random moves: every meet goes to a peer the node already lists, at that peer's current address. */
    @Test
    void randomMovesOnlyEverMeetKnownPeersAtTheirCurrentAddresses() {
        Random r = new Random(13);
        for (int round = 0; round < 500; round++) {
            int n = 2 + r.nextInt(8);
            String[] old = new String[n];
            String[] now = new String[n];
            for (int i = 0; i < n; i++) {
                old[i] = "10.0.0." + (i + 1);
                now[i] = r.nextBoolean() ? old[i] : "10.0.1." + (i + 1);
            }
            Map<HostPort, List<NodeEntry>> v = views(now, old, true);
            HealPlanner.Plan p = HealPlanner.plan(v);
            long moved = java.util.stream.IntStream.range(0, n).filter(i -> !old[i].equals(now[i])).count();
            if (moved < n) {
                // Someone still sits where the others list it: moved nodes reach it, unmoved ones reach each other.
                assertThat(p.isolated()).as("round %d", round).isEmpty();
            } else {
                assertThat(p.isolated()).as("round %d", round).hasSize(n);
                assertThat(p.meets()).hasSize(n * (n - 1));
            }
            for (HealPlanner.Meet m : p.meets()) {
                int peer = Integer.parseInt(m.peer().host().substring(m.peer().host().lastIndexOf('.') + 1)) - 1;
                assertThat(m.peerId()).isEqualTo(id(peer));
                assertThat(m.peer()).isEqualTo(at(now[peer]));
                assertThat(v.get(m.node()).stream().anyMatch(e -> e.id().equals(m.peerId()))).isTrue();
            }
        }
    }
}
