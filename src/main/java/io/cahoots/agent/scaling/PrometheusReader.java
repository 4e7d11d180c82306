package io.cahoots.agent.scaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cahoots.agent.scaling.decision.Sample;
import io.cahoots.agent.scaling.decision.Trigger;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads one value per trigger from Prometheus' HTTP API ({@code GET /api/v1/query?query=...}, an instant query at
 * the server's "now").
 *
 * <ol>
 *   <li>The four queries run in parallel, each bounded by {@link #QUERY_TIMEOUT}; a query whose connection fails
 *       is retried once after {@link #RETRY_PAUSE} (a restarting Prometheus), never more.</li>
 *   <li>An answer counts only when it is {@code status: success} with exactly one sample (a scalar, or a vector of
 *       one series): zero series usually means wrong labels, several mean the query forgot to aggregate.</li>
 *   <li>NaN and infinities (a rate over no requests) are no reading either.</li>
 * </ol>
 * Every failure becomes a missing reading with its reason, never a zero: a zero would read as "idle" and invite a
 * scale-down on the day Prometheus is down.
 */
public final class PrometheusReader implements ReadingSource {

    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);
    static final Duration RETRY_PAUSE = Duration.ofMillis(250);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Map<Trigger, String> queries;
    private final Clock clock;
    private final HttpClient http;

    public PrometheusReader(URI base, Map<Trigger, String> queries, Clock clock) {
        this.base = base;
        this.queries = Map.copyOf(queries);
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    @Override
    public Sample read() {
        var at = clock.instant();
        Map<Trigger, CompletableFuture<Double>> futures = new EnumMap<>(Trigger.class);
        queries.forEach((t, q) -> futures.put(t, query(q, true)));
        Map<Trigger, Double> values = new EnumMap<>(Trigger.class);
        Map<Trigger, String> missing = new EnumMap<>(Trigger.class);
        long deadline = System.nanoTime() + QUERY_TIMEOUT.plus(RETRY_PAUSE).plus(QUERY_TIMEOUT).toNanos();
        futures.forEach((t, f) -> {
            try {
                values.put(t, f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (ExecutionException e) {
                missing.put(t, reason(e.getCause()));
            } catch (TimeoutException e) {
                f.cancel(true);
                missing.put(t, "no answer from Prometheus within " + QUERY_TIMEOUT.toSeconds() + "s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                missing.put(t, "interrupted");
            }
        });
        return new Sample(at, values, missing);
    }

    private CompletableFuture<Double> query(String promql, boolean mayRetry) {
        URI uri = URI.create(base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(QUERY_TIMEOUT).header("Accept", "application/json").GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> parse(r.statusCode(), r.body()))
                .exceptionallyCompose(e -> {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (mayRetry && cause instanceof IOException && !(cause instanceof java.net.http.HttpTimeoutException)) {
                        return CompletableFuture.supplyAsync(() -> null,
                                CompletableFuture.delayedExecutor(RETRY_PAUSE.toMillis(), TimeUnit.MILLISECONDS))
                                .thenCompose(x -> query(promql, false));
                    }
                    return CompletableFuture.failedFuture(cause);
                });
    }

    /** The single value of a Prometheus answer, or an exception whose message says why there is none. */
    static double parse(int status, String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new NoReading("Prometheus answered HTTP " + status + " with something that is not JSON");
        }
        if (!"success".equals(root.path("status").asText())) {
            throw new NoReading("Prometheus answered HTTP " + status + ": " + root.path("errorType").asText("error") + ": "
                    + root.path("error").asText("no detail"));
        }
        JsonNode data = root.path("data");
        String type = data.path("resultType").asText();
        JsonNode value;
        if (type.equals("scalar")) {
            value = data.path("result");
        } else if (type.equals("vector")) {
            JsonNode result = data.path("result");
            if (result.size() == 0) {
                throw new NoReading("no series: check the query's metric names and labels");
            }
            if (result.size() > 1) {
                throw new NoReading(result.size() + " series: the query must aggregate to one value (wrap it in avg(...))");
            }
            value = result.get(0).path("value");
        } else {
            throw new NoReading("a " + type + " result: the query must give one instant value");
        }
        String text = value.path(1).asText();
        if (text.equals("NaN")) {
            throw new NoReading("NaN: no data in the query's window (no requests?)");
        }
        if (text.endsWith("Inf")) {
            throw new NoReading(text + ": not a finite number (a division by zero in the query?)");
        }
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new NoReading("unreadable value " + value);
        }
        return v;
    }

    private String reason(Throwable t) {
        if (t instanceof NoReading) {
            return t.getMessage();
        }
        if (t instanceof java.net.http.HttpTimeoutException) {
            return "no answer from Prometheus within " + QUERY_TIMEOUT.toSeconds() + "s";
        }
        if (t instanceof java.net.ConnectException) {
            return "cannot connect to Prometheus at " + base;
        }
        return "query failed: " + t;
    }

    /** A query that gave no usable value; the message is the reason shown next to the trigger. */
    static final class NoReading extends RuntimeException {
        NoReading(String message) {
            super(message, null, false, false);
        }
    }
}
