package io.cahoots.agent.scaling;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A stand-in for the API's {@code /metrics} (Prometheus text format) whose values the test sets. It exports simple
 * gauges ({@code api_cpu_percent}, ...) and the Micrometer series a Quarkus API exports, shaped as Micrometer
 * shapes them, for the default queries: a CPU-time counter that grows at the set utilisation, heap pools with the -1
 * maxima G1 reports, worker-pool queues, and a request-latency histogram whose buckets grow in a fixed proportion.
 */
public final class FakeApiMetrics implements AutoCloseable {

    /** Bucket bounds in seconds; each scrape-second adds these many requests at or below each bound (cumulative). */
    static final double[] LE = {0.05, 0.1, 0.25, 0.5, 1.0};
    static final int[] PER_SECOND = {50, 94, 100, 100, 100};

    private final HttpServer server;
    private final long startNanos = System.nanoTime();
    public volatile double cpuPercent;
    public volatile double memoryPercent;
    public volatile double queueLength;
    public volatile double p95Ms;
    /** For the Micrometer series: share of the 2 CPUs used, heap bytes, queued tasks. */
    public volatile double cpuShare;
    public volatile long heapUsedBytes;
    public volatile long heapMaxBytes = 1_000_000_000L;
    public volatile int workerQueue;
    private double cpuSecondsTotal;
    private long lastNanos = System.nanoTime();

    public FakeApiMetrics() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", ex -> {
            byte[] body = render().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private synchronized String render() {
        long now = System.nanoTime();
        cpuSecondsTotal += (now - lastNanos) / 1e9 * cpuShare * 2;
        lastNanos = now;
        double seconds = (now - startNanos) / 1e9;
        StringBuilder sb = new StringBuilder();
        line(sb, "api_cpu_percent", "", cpuPercent);
        line(sb, "api_memory_percent", "", memoryPercent);
        line(sb, "api_queue_length", "", queueLength);
        line(sb, "api_p95_ms", "", p95Ms);
        sb.append("# TYPE process_cpu_time_ns_total counter\n");
        line(sb, "process_cpu_time_ns_total", "", Math.floor(cpuSecondsTotal * 1e9));
        line(sb, "system_cpu_count", "", 2);
        line(sb, "jvm_memory_used_bytes", "{area=\"heap\",id=\"G1 Eden Space\"}", heapUsedBytes / 4.0);
        line(sb, "jvm_memory_used_bytes", "{area=\"heap\",id=\"G1 Old Gen\"}", heapUsedBytes * 3 / 4.0);
        line(sb, "jvm_memory_used_bytes", "{area=\"nonheap\",id=\"Metaspace\"}", 5e7);
        line(sb, "jvm_memory_max_bytes", "{area=\"heap\",id=\"G1 Eden Space\"}", -1);
        line(sb, "jvm_memory_max_bytes", "{area=\"heap\",id=\"G1 Old Gen\"}", heapMaxBytes);
        line(sb, "jvm_memory_max_bytes", "{area=\"nonheap\",id=\"Metaspace\"}", -1);
        line(sb, "worker_pool_queue_size", "{pool_name=\"vert.x-worker-thread\",pool_type=\"worker\"}", workerQueue);
        line(sb, "worker_pool_queue_size", "{pool_name=\"vert.x-internal-blocking\",pool_type=\"worker\"}", 500);
        sb.append("# TYPE http_server_requests_seconds histogram\n");
        for (int i = 0; i < LE.length; i++) {
            bucket(sb, "/api/items", String.valueOf(LE[i]), Math.floor(seconds * PER_SECOND[i]));
        }
        bucket(sb, "/api/items", "+Inf", Math.floor(seconds * 100));
        // Health checks are slow here on purpose: the default p95 query must leave /q/ out.
        bucket(sb, "/q/health", "1.0", 0);
        bucket(sb, "/q/health", "+Inf", Math.floor(seconds * 1000));
        return sb.toString();
    }

    private static void bucket(StringBuilder sb, String uri, String le, double count) {
        line(sb, "http_server_requests_seconds_bucket", "{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"" + uri
                + "\",le=\"" + le + "\"}", count);
    }

    private static void line(StringBuilder sb, String name, String labels, double value) {
        sb.append(name).append(labels).append(' ').append(String.format(Locale.ROOT, "%.1f", value)).append('\n');
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
