package io.cahoots.agent.testing;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A Server-Sent Events reader for tests and the benchmark: every event with the nanoTime it arrived. It speaks HTTP/1.1
 * over a plain socket so that {@link #close()} ends the stream at once (HttpURLConnection's disconnect waits for the
 * next chunk, i.e. up to a heartbeat).
 */
public final class SseClient implements AutoCloseable {

    /** @param arrivedNanos {@link System#nanoTime()} when the blank line ending the event was read */
    public record Event(String id, String data, long arrivedNanos) {
    }

    private final Socket socket;
    private final InputStream body;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger comments = new AtomicInteger();
    private final Thread reader;
    private volatile Throwable failure;

    private SseClient(Socket socket, InputStream body) {
        this.socket = socket;
        this.body = body;
        this.reader = new Thread(this::read, "sse-client");
        this.reader.setDaemon(true);
    }

    public static SseClient open(URI uri) throws IOException {
        return open(uri, null);
    }

    /** As an EventSource reconnecting: {@code Last-Event-ID} names the last event it received (null for none). */
    public static SseClient open(URI uri, String lastEventId) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        socket.setSoTimeout(10_000); // for the status line and headers only
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nAccept: text/event-stream\r\n" + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n")
                + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = new BufferedInputStream(socket.getInputStream());
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 200")) {
            socket.close();
            throw new IOException("GET " + uri + " answered " + status);
        }
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            chunked |= h.toLowerCase(Locale.ROOT).replace(" ", "").equals("transfer-encoding:chunked");
        }
        socket.setSoTimeout(0);
        SseClient client = new SseClient(socket, chunked ? new Dechunked(in) : in);
        client.reader.start();
        return client;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
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

    /** The first event (in arrival order) that matches, waiting up to {@code timeout}. */
    public Event await(Predicate<Event> match, Duration timeout) {
        return Polling.until(timeout, Duration.ofMillis(2), () -> events.stream().filter(match).findFirst(),
                Optional::isPresent, () -> "no matching event within " + timeout + "; got " + events.size() + " events"
                        + (failure != null ? ", stream failed: " + failure : "")).get();
    }

    static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        if (c < 0 && sb.length() == 0) {
            throw new EOFException("connection closed");
        }
        return sb.toString();
    }

    /** The body of a {@code Transfer-Encoding: chunked} response. */
    private static final class Dechunked extends InputStream {
        private final InputStream in;
        private int left;
        private boolean done;

        Dechunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line(in);
                if (size.isEmpty()) {
                    size = line(in); // the CRLF that ends the previous chunk
                }
                int semicolon = size.indexOf(';');
                left = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    @Override
    public void close() {
        try {
            socket.close(); // ends the reader's blocked read at once
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
