package io.cahoots.agent.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A {@code GET /api/v1/history} answer the console can be shown without waiting an hour: {@code points} samples 5 s
 * apart ending now, {@code masters} masters with a daily-looking wave, the API replicas stepping 2 -> 4 -> 6 with a
 * decision at each step, and a gap (an unread master) in the middle.
 */
final class SyntheticHistory {

    private SyntheticHistory() {
    }

    static String json(int masters, int points) {
        ObjectNode h = SyntheticCluster.JSON.createObjectNode().put("stepSeconds", 5).put("capacity", 720);
        long end = System.currentTimeMillis();
        long start = end - 5000L * (points - 1);
        ArrayNode at = h.putArray("at");
        for (int i = 0; i < points; i++) {
            at.add(start + 5000L * i);
        }
        ArrayNode ms = h.putArray("masters");
        for (int m = 0; m < masters; m++) {
            ObjectNode s = ms.addObject().put("id", SyntheticCluster.id(m)).put("address", "10.0.0." + (m + 1) + ":6379");
            ArrayNode ops = s.putArray("opsPerSec");
            ArrayNode used = s.putArray("usedMemoryBytes");
            ArrayNode max = s.putArray("maxMemoryBytes");
            ArrayNode latency = s.putArray("latencySeconds");
            ArrayNode hits = s.putArray("hitRatio");
            for (int i = 0; i < points; i++) {
                if (m == 0 && i == points / 2) { // one unread poll: a gap, not a drop to zero
                    ops.addNull();
                    used.addNull();
                    max.addNull();
                    latency.addNull();
                    hits.addNull();
                    continue;
                }
                double wave = 1 + 0.5 * Math.sin(i / 40.0 + m);
                ops.add(1000 * wave * (m + 1));
                used.add((long) (1e9 * (0.5 + 0.1 * m) + 1e6 * i));
                max.add(2_000_000_000L);
                latency.add(20e-6 * wave);
                hits.add(0.9 + 0.05 * Math.sin(i / 30.0));
            }
        }
        ObjectNode replicas = h.putObject("replicas");
        ArrayNode current = replicas.putArray("current");
        ArrayNode desired = replicas.putArray("desired");
        for (int i = 0; i < points; i++) {
            current.add(i < points / 3 ? 2 : i < 2 * points / 3 ? 4 : 6);
            desired.add(i < points / 3 - 1 ? 2 : i < 2 * points / 3 - 1 ? 4 : 6);
        }
        ArrayNode decisions = h.putArray("decisions");
        decisions.addObject().put("at", start + 5000L * (points / 3 - 1)).put("kind", "scale-up").put("from", 2).put("to", 4)
                .put("applied", true).put("reason", "cpu 84% > 70% for 5m: 2 -> 4");
        decisions.addObject().put("at", start + 5000L * (2 * points / 3 - 1)).put("kind", "scale-up").put("from", 4).put("to", 6)
                .put("applied", true).put("reason", "after 5m cpu 80% (was 84%): not improved (cpu > 70%): 4 -> 6");
        return h.toString();
    }
}
