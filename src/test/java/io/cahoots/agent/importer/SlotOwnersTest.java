package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.HostPort;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SlotOwnersTest {

    static final HostPort A = HostPort.parse("127.0.0.1:7001");
    static final HostPort B = HostPort.parse("127.0.0.1:7002");
    static final HostPort C = HostPort.parse("127.0.0.1:7003");

    /** Three masters with the ranges redis-cli --cluster create gives them. */
    static SlotOwners threeMasters() {
        HostPort[] owner = new HostPort[KeySlots.SLOTS];
        for (int s = 0; s < KeySlots.SLOTS; s++) {
            owner[s] = s <= 5460 ? A : s <= 10922 ? B : C;
        }
        return new SlotOwners(owner);
    }

    @Test
    void groupsEveryKeyUnderTheMasterOwningItsSlotInBatchOrder() {
        SlotOwners owners = threeMasters();
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            keys.add(("key:" + i).getBytes(StandardCharsets.UTF_8));
        }
        Map<HostPort, List<byte[]>> groups = owners.group(keys, k -> k);
        assertThat(groups.keySet()).containsExactlyInAnyOrder(A, B, C);
        assertThat(groups.values().stream().mapToInt(List::size).sum()).isEqualTo(3000);
        groups.forEach((node, group) -> {
            group.forEach(k -> assertThat(owners.ownerOf(k)).isEqualTo(node));
            // batch order kept inside a group
            List<Integer> positions = group.stream().map(keys::indexOf).toList();
            assertThat(positions).isSorted();
            // the slot function spreads keys evenly: each master gets about a third
            assertThat(group.size()).isBetween(850, 1150);
        });
        assertThat(owners.masters()).containsExactly(A, B, C);
        assertThat(owners.complete()).isTrue();
    }

    @Test
    void anUnownedSlotIsGroupedUnderNullAndMakesTheMapIncomplete() {
        HostPort[] owner = new HostPort[KeySlots.SLOTS];
        java.util.Arrays.fill(owner, A);
        byte[] key = "foo".getBytes(StandardCharsets.UTF_8); // slot 12182
        owner[12182] = null;
        SlotOwners owners = new SlotOwners(owner);
        assertThat(owners.complete()).isFalse();
        assertThat(owners.group(List.of(key), k -> k)).containsOnlyKeys((HostPort) null);
    }
}
