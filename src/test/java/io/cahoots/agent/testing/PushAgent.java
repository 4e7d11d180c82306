package io.cahoots.agent.testing;

import io.restassured.path.json.JsonPath;

import java.io.IOException;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Helpers for ITs that drive the packaged agent's topology endpoints. */
public final class PushAgent {

    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:/]+:(\\d+)");

    private PushAgent() {
    }

    /** The HTTP port, from the agent's own start-up line. */
    public static int port(AgentProcess agent) {
        Matcher m = LISTENING.matcher(agent.output());
        if (!m.find()) {
            throw new AssertionError("no 'Listening on' line yet in:\n" + agent.output());
        }
        return Integer.parseInt(m.group(1));
    }

    public static SseClient stream(AgentProcess agent) throws IOException {
        return stream(agent, null);
    }

    /** The stream as a client reconnects to it, naming the last event it received. */
    public static SseClient stream(AgentProcess agent, String lastEventId) throws IOException {
        return SseClient.open(URI.create("http://127.0.0.1:" + port(agent) + "/api/v1/topology/stream"), lastEventId);
    }

    public static JsonPath json(AgentProcess agent, String path) throws IOException, InterruptedException {
        var r = agent.get(path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JsonPath.from(r.body());
    }

    /** The value of one Prometheus sample line, e.g. {@code cahoots_sentinel_failovers_total{master="mymaster"}}; -1 if absent. */
    public static double metric(AgentProcess agent, String series) throws IOException, InterruptedException {
        String text = agent.get("/q/metrics").body();
        return text.lines().filter(l -> l.startsWith(series + " ")).map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .findFirst().orElse(-1.0);
    }
}
