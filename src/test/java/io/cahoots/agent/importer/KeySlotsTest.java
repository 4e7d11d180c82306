package io.cahoots.agent.importer;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class KeySlotsTest {

    private static int slot(String key) {
        return KeySlots.slot(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void matchesTheSpecificationsExamples() {
        assertThat(slot("123456789")).isEqualTo(0x31C3 & 16383); // the CRC16-XMODEM check value
        assertThat(slot("foo")).isEqualTo(12182);
        assertThat(slot("{user1000}.following")).isEqualTo(slot("user1000"));
        assertThat(slot("{user1000}.followers")).isEqualTo(slot("user1000"));
        assertThat(slot("foo{}{bar}")).isEqualTo(slot("foo{}{bar}")); // empty tag: the whole key
        assertThat(slot("foo{{bar}}zap")).isEqualTo(slot("{bar"));
        assertThat(slot("foo{bar}{zap}")).isEqualTo(slot("bar"));
    }

    @Test
    void agreesWithTheClientLibraryOnRandomBinaryKeys() {
        Random random = new Random(15);
        for (int i = 0; i < 20_000; i++) {
            byte[] key = new byte[random.nextInt(40)];
            random.nextBytes(key);
            if (random.nextInt(4) == 0 && key.length > 4) {
                key[1] = '{';
                key[key.length - 2] = '}';
            }
            assertThat(KeySlots.slot(key)).as("key %d", i).isEqualTo(JedisClusterCRC16.getSlot(key));
        }
    }
}
