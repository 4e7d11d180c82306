package io.cahoots.agent.executor;

import io.cahoots.agent.cluster.ClusterNode;
import io.cahoots.agent.cluster.ClusterSnapshot;
import io.cahoots.agent.config.Credentials;
import io.cahoots.agent.observe.ClusterObserver;
import io.cahoots.agent.redis.ClusterReader;
import io.cahoots.agent.adapter.jedis.JedisClusterCommands;
import io.cahoots.agent.redis.RedisConnections;
import io.cahoots.agent.redis.lab.LabSpec;
import io.cahoots.agent.redis.lab.RedisLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each open-slot case, produced by hand with SETSLOT and partial MIGRATE, and an uncovered slot, repaired. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterFixerIT {

    private static final int KEYS = 40;

    private RedisLab lab;
    private RedisConnections connections;
    private JedisClusterCommands commands;
    private ExecutorService readers;
    private ClusterObserver observer;
    private ClusterFixer fixer;

    @BeforeAll
    void start() {
        lab = RedisLab.start(LabSpec.builder().masters(3).replicasPerMaster(0).clusterNodeTimeoutMillis(3000).build());
        connections = new RedisConnections(Credentials.NONE, Credentials.NONE, false, Duration.ofSeconds(5));
        commands = new JedisClusterCommands(connections);
        readers = Executors.newFixedThreadPool(4);
        observer = new ClusterObserver(lab.masters(), new ClusterReader(connections)::read, Duration.ofSeconds(1),
                Clock.systemUTC(), readers);
        fixer = new ClusterFixer(commands, MigrationTuning.defaults(100, 2));
    }

    @AfterAll
    void stop() {
        readers.shutdownNow();
        commands.close();
        lab.close();
    }

    @BeforeEach
    void clean() {
        await().atMost(Duration.ofSeconds(10)).until(() -> observer.poll().check().ok());
    }

    private Job job() {
        return new Job("fix", "fix", "test", Clock.systemUTC());
    }

    /** KEYS keys that all hash to one slot (hash tag), written to its owner; returns the key names. */
    private List<String> fill(String tag) {
        ClusterSnapshot s = observer.poll();
        int slot = JedisClusterCRC16.getSlot("{" + tag + "}");
        ClusterNode owner = owner(s, slot);
        List<String> keys = new ArrayList<>();
        try (Jedis j = lab.connect(owner.address().orElseThrow())) {
            for (int i = 0; i < KEYS; i++) {
                String k = "{" + tag + "}:" + i;
                j.set(k, "v" + i);
                keys.add(k);
            }
        }
        return keys;
    }

    private static ClusterNode owner(ClusterSnapshot s, int slot) {
        return s.masters().stream().filter(m -> m.slots().stream().anyMatch(r -> r.contains(slot))).findFirst().orElseThrow();
    }

    private static ClusterNode other(ClusterSnapshot s, ClusterNode not) {
        return s.masters().stream().filter(m -> !m.id().equals(not.id())).findFirst().orElseThrow();
    }

    private Jedis connect(ClusterNode n) {
        return lab.connect(n.address().orElseThrow());
    }

    private void setslot(ClusterNode n, int slot, String... args) {
        try (Jedis j = connect(n)) {
            List<String> a = new ArrayList<>(List.of("SETSLOT", Integer.toString(slot)));
            a.addAll(List.of(args));
            j.sendCommand(Protocol.Command.CLUSTER, a.toArray(new String[0]));
        }
    }

    /** Every key is readable through the owner of its slot, with its value. */
    private void assertAllKeysReadable(List<String> keys) {
        ClusterSnapshot s = observer.poll();
        for (String k : keys) {
            try (Jedis j = connect(owner(s, JedisClusterCRC16.getSlot(k)))) {
                assertThat(j.get(k)).as(k).isEqualTo("v" + k.substring(k.lastIndexOf(':') + 1));
            }
        }
    }

    private ClusterSnapshot fixAndCheck() {
        ClusterSnapshot broken = observer.poll();
        assertThat(broken.check().ok()).isFalse();
        assertThat(ClusterFixer.refusals(broken, false)).isEmpty();
        List<String> actions = fixer.fix(broken, false, job());
        assertThat(actions).isNotEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> observer.poll().check().ok());
        return observer.poll();
    }

    @Test
    void migratingAndImportingWithHalfTheKeysMovedIsFinishedForward() {
        List<String> keys = fill("both");
        int slot = JedisClusterCRC16.getSlot(keys.get(0));
        ClusterSnapshot s = observer.poll();
        ClusterNode a = owner(s, slot);
        ClusterNode b = other(s, a);
        setslot(b, slot, "IMPORTING", a.id());
        setslot(a, slot, "MIGRATING", b.id());
        try (Jedis j = connect(a)) {
            List<String> args = new ArrayList<>(List.of(b.address().get().host(), Integer.toString(b.address().get().port()),
                    "", "0", "5000", "KEYS"));
            args.addAll(keys.subList(0, KEYS / 2));
            j.sendCommand(Protocol.Command.MIGRATE, args.toArray(new String[0]));
        }
        ClusterSnapshot fixed = fixAndCheck();
        assertThat(owner(fixed, slot).id()).isEqualTo(b.id());
        assertAllKeysReadable(keys);
    }

    @Test
    void importingOnlyWithKeysOnTheImporterMovesThemToTheOwner() {
        List<String> keys = fill("importing");
        int slot = JedisClusterCRC16.getSlot(keys.get(0));
        ClusterSnapshot s = observer.poll();
        ClusterNode a = owner(s, slot);
        ClusterNode b = other(s, a);
        setslot(b, slot, "IMPORTING", a.id());
        String stray = "{importing}:stray";
        try (Jedis j = connect(b)) {
            j.sendCommand(Protocol.Command.ASKING);
            j.set(stray, "v-stray");
        }
        ClusterSnapshot fixed = fixAndCheck();
        assertThat(owner(fixed, slot).id()).isEqualTo(a.id());
        assertAllKeysReadable(keys);
        try (Jedis j = connect(a)) {
            assertThat(j.get(stray)).isEqualTo("v-stray");
        }
    }

    @Test
    void migratingOnlyIsClosedOnTheOwner() {
        List<String> keys = fill("migrating");
        int slot = JedisClusterCRC16.getSlot(keys.get(0));
        ClusterSnapshot s = observer.poll();
        ClusterNode a = owner(s, slot);
        setslot(a, slot, "MIGRATING", other(s, a).id());
        ClusterSnapshot fixed = fixAndCheck();
        assertThat(owner(fixed, slot).id()).isEqualTo(a.id());
        assertAllKeysReadable(keys);
    }

    @Test
    void anUncoveredSlotGoesBackToTheNodeHoldingItsKeys() {
        List<String> keys = fill("uncovered");
        int slot = JedisClusterCRC16.getSlot(keys.get(0));
        ClusterSnapshot s = observer.poll();
        ClusterNode a = owner(s, slot);
        for (ClusterNode m : s.masters()) {
            try (Jedis j = connect(m)) {
                j.sendCommand(Protocol.Command.CLUSTER, "DELSLOTS", Integer.toString(slot));
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !observer.poll().check().uncoveredSlots().isEmpty());
        ClusterSnapshot fixed = fixAndCheck();
        assertThat(fixed.check().uncoveredSlots()).isEmpty();
        assertThat(owner(fixed, slot).id()).isEqualTo(a.id());
        assertAllKeysReadable(keys);
    }

    @Test
    void aSlotGivenToANodeThatNeverTookItIsClaimedEvenThoughAddSlotsCallsItBusy() {
        ClusterSnapshot s = observer.poll();
        ClusterNode a = s.masters().get(0);
        ClusterNode b = other(s, a);
        int slot = a.slots().get(0).end();
        // As a crash between the two SETSLOT NODEs of a move can leave it: the old owner gave the slot to b,
        // b never took it, and everyone else still thinks the old owner has it.
        setslot(a, slot, "NODE", b.id());
        await().atMost(Duration.ofSeconds(10)).until(() -> !observer.poll().check().uncoveredSlots().isEmpty());
        ClusterSnapshot fixed = fixAndCheck();
        assertThat(fixed.check().uncoveredSlots()).isEmpty();
        assertThat(fixed.masters().stream().filter(m -> m.slots().stream().anyMatch(r -> r.contains(slot)))).hasSize(1);
    }

    @Test
    void anUnreachableMasterRefusesTheFixUnlessAllowed() {
        ClusterSnapshot s = observer.poll();
        var node = lab.node(s.masters().get(2).address().orElseThrow());
        node.pause();
        try {
            ClusterSnapshot down = observer.poll();
            assertThat(ClusterFixer.refusals(down, false)).singleElement().asString().contains("allowUnreachable");
            assertThat(ClusterFixer.refusals(down, true)).isEmpty();
        } finally {
            node.resume();
        }
    }
}
