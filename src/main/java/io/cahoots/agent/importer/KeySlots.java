package io.cahoots.agent.importer;

/**
 * The cluster's key-to-slot function (CRC16-XMODEM of the key, or of its hash tag, modulo 16384), as in the Redis
 * Cluster specification. Pure; kept here so the importer can group keys by owner without a client library.
 */
public final class KeySlots {

    public static final int SLOTS = 16384;
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int b = 0; b < 8; b++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private KeySlots() {
    }

    public static int slot(byte[] key) {
        int start = 0;
        int end = key.length;
        // A hash tag {...} with at least one byte inside decides the slot alone (the first '{' and the next '}').
        for (int i = 0; i < key.length; i++) {
            if (key[i] == '{') {
                for (int j = i + 1; j < key.length; j++) {
                    if (key[j] == '}') {
                        if (j > i + 1) {
                            start = i + 1;
                            end = j;
                        }
                        break;
                    }
                }
                break;
            }
        }
        int crc = 0;
        for (int i = start; i < end; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ key[i]) & 0xFF]) & 0xFFFF;
        }
        return crc & (SLOTS - 1);
    }
}
