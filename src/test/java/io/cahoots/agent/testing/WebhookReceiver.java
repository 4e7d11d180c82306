package io.cahoots.agent.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A webhook endpoint on loopback (the JDK's HttpServer) that records every POST with the nanoTime it arrived. It can
 * be stopped and started again on the same port, to play a receiver that is down for a while, and told which status
 * to answer.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** @param headers lower-case names, first values */
    public record Delivery(byte[] body, Map<String, String> headers, long arrivedNanos) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "webhook-receiver");
        t.setDaemon(true);
        return t;
    });
    private volatile int status = 204;
    private volatile long delayMillis;
    private int port;
    private HttpServer server;

    private WebhookReceiver() {
    }

    public static WebhookReceiver start() throws IOException {
        WebhookReceiver r = new WebhookReceiver();
        r.listen(0);
        return r;
    }

    private synchronized void listen(int p) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 50);
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                Map<String, String> headers = new TreeMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
                if (delayMillis > 0) {
                    SseClient.sleep(delayMillis);
                }
                deliveries.add(new Delivery(body, headers, System.nanoTime()));
                exchange.sendResponseHeaders(status, -1);
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(threads);
        server.start();
        port = server.getAddress().getPort();
    }

    public synchronized URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Stops listening: connections are refused until {@link #restart()}. */
    public synchronized void stop() {
        server.stop(0);
    }

    /** Listens again on the same port. */
    public synchronized void restart() throws IOException {
        listen(port);
    }

    public void respondWith(int status) {
        this.status = status;
    }

    /** Holds every answer this long: a slow receiver. */
    public void delay(Duration d) {
        this.delayMillis = d.toMillis();
    }

    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    public Delivery await(Predicate<Delivery> match, Duration timeout) {
        return Polling.until(timeout, Duration.ofMillis(2), () -> deliveries.stream().filter(match).findFirst(),
                Optional::isPresent, () -> "no matching webhook delivery within " + timeout + "; got " + deliveries.size())
                .get();
    }

    @Override
    public synchronized void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
