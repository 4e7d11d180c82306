package io.cahoots.agent.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** A Server-Sent Events reader for tests and the benchmark: every event with the nanoTime it arrived. */
public final class SseClient implements AutoCloseable {

    /** @param arrivedNanos {@link System#nanoTime()} when the blank line ending the event was read */
    public record Event(String id, String data, long arrivedNanos) {
    }

    private final HttpURLConnection connection;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger comments = new AtomicInteger();
    private final Thread reader;
    private volatile Throwable failure;

    private SseClient(HttpURLConnection connection) {
        this.connection = connection;
        this.reader = new Thread(this::read, "sse-client");
        this.reader.setDaemon(true);
    }

    public static SseClient open(URI uri) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setRequestProperty("Accept", "text/event-stream");
        c.setConnectTimeout(5000);
        c.setReadTimeout(0);
        if (c.getResponseCode() != 200) {
            throw new IOException("GET " + uri + " answered " + c.getResponseCode());
        }
        SseClient client = new SseClient(c);
        client.reader.start();
        return client;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8))) {
            String id = null;
            StringBuilder data = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, data.toString(), System.nanoTime()));
                    }
                    id = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    comments.incrementAndGet();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    String d = line.substring(5);
                    data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
                }
            }
        } catch (IOException e) {
            failure = e;
        }
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    public int comments() {
        return comments.get();
    }

    public Throwable failure() {
        return failure;
    }

    /** The first event (in arrival order, from {@code from}) that matches, waiting up to {@code timeout}. */
    public Event await(Predicate<Event> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Event e : events) {
                if (match.test(e)) {
                    return e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching event within " + timeout + "; got " + events.size() + " events"
                        + (failure != null ? ", stream failed: " + failure : ""));
            }
            sleep(2);
        }
    }

    static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    @Override
    public void close() {
        connection.disconnect();
    }
}
