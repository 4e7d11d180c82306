package io.cahoots.agent.scaling;

import com.sun.net.httpserver.HttpServer;
import io.cahoots.agent.scaling.decision.Sample;
import io.cahoots.agent.scaling.decision.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reader against a stand-in Prometheus that answers each query with a canned body: every way a query can fail
 * is a missing reading with its reason. (The real Prometheus is in {@link ScalingIT}.)
 */
class PrometheusReaderTest {

    HttpServer server;
    final Map<String, String> answers = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    final Clock clock = Clock.fixed(Instant.parse("2026-01-05T10:00:00Z"), ZoneOffset.UTC);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/query", ex -> {
            requests.incrementAndGet();
            String q = URLDecoder.decode(ex.getRequestURI().getRawQuery().substring("query=".length()), StandardCharsets.UTF_8);
            String body = answers.getOrDefault(q, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
            int status = body.contains("\"bad_data\"") ? 400 : body.startsWith("<") ? 502 : 200;
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static String vector(String... values) {
        StringBuilder sb = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"metric\":{\"instance\":\"p").append(i).append("\"},\"value\":[1767607200.0,\"")
                    .append(values[i]).append("\"]}");
        }
        return sb.append("]}}").toString();
    }

    PrometheusReader reader(int port) {
        return new PrometheusReader(URI.create("http://127.0.0.1:" + port), Map.of(Trigger.CPU, "cpu_q", Trigger.MEMORY, "mem_q",
                Trigger.QUEUE, "queue_q", Trigger.P95, "p95_q"), clock);
    }

    @Test
    void oneValuePerTriggerAndEveryFailureIsAMissingReadingWithItsReason() {
        answers.put("cpu_q", vector("84.25"));
        answers.put("mem_q", "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1767607200.0,\"61\"]}}");
        answers.put("queue_q", vector("3", "4"));
        answers.put("p95_q", vector("NaN"));
        Sample s = reader(server.getAddress().getPort()).read();
        assertThat(s.at()).isEqualTo(clock.instant());
        assertThat(s.values()).isEqualTo(Map.of(Trigger.CPU, 84.25, Trigger.MEMORY, 61.0));
        assertThat(s.missingReason(Trigger.QUEUE)).contains("2 series: the query must aggregate to one value (wrap it in avg(...))");
        assertThat(s.missingReason(Trigger.P95)).contains("NaN: no data in the query's window (no requests?)");
    }

    @Test
    void noSeriesABadQueryAndANonJsonAnswer() {
        answers.put("cpu_q", "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:5: parse error: unexpected\"}");
        answers.put("mem_q", "<html>bad gateway</html>");
        answers.put("p95_q", vector("+Inf"));
        Sample s = reader(server.getAddress().getPort()).read();
        assertThat(s.values()).isEmpty();
        assertThat(s.missingReason(Trigger.CPU)).contains("Prometheus answered HTTP 400: bad_data: 1:5: parse error: unexpected");
        assertThat(s.missingReason(Trigger.MEMORY)).contains("Prometheus answered HTTP 502 with something that is not JSON");
        assertThat(s.missingReason(Trigger.QUEUE)).contains("no series: check the query's metric names and labels");
        assertThat(s.missingReason(Trigger.P95)).contains("+Inf: not a finite number (a division by zero in the query?)");
    }

    @Test
    void anUnreachablePrometheusIsRetriedOnceThenReported() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        long started = System.nanoTime();
        Sample s = reader(port).read();
        assertThat(s.values()).isEmpty();
        assertThat(s.missing()).hasSize(4).allSatisfy((t, r) ->
                assertThat(r).isEqualTo("cannot connect to Prometheus at http://127.0.0.1:" + port));
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(3_000);
    }

    @Test
    void theQueryIsSentUrlEncoded() {
        String promql = "100 * avg(rate(x_total{job=\"a b\",uri!~\"/q/.*\"}[1m]))";
        answers.put(promql, vector("7"));
        PrometheusReader r = new PrometheusReader(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                Map.of(Trigger.CPU, promql), clock);
        assertThat(r.read().value(Trigger.CPU)).hasValue(7.0);
    }
}
