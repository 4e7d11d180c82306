package io.cahoots.agent.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The console's own files (from the classpath, exactly what the agent serves under {@code /}) next to a
 * scripted API: each test says what {@code /api/v1/...} answers, so the page can be shown a 1,000-node
 * cluster, failing nodes or missing endpoints without building them. Requests are recorded. The topology
 * stream is a real {@code text/event-stream} the test pushes events into. Loopback only.
 */
final class ConsoleStub implements AutoCloseable {

    record Answer(int status, String contentType, String body) {
        static Answer json(String body) {
            return new Answer(200, "application/json", body);
        }

        static Answer problem(int status, String title, String detail) {
            return new Answer(status, "application/problem+json", "{\"type\":\"/problems/test\",\"title\":\"" + title
                    + "\",\"status\":" + status + ",\"detail\":\"" + detail.replace("\"", "\\\"") + "\"}");
        }
    }

    record Request(String method, String path, String authorization, String body) {
    }

    private static final String STREAM = "GET /api/v1/topology/stream";
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "png", "image/png",
            "svg", "image/svg+xml");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "console-stub");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Supplier<Answer>> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<HttpExchange> streams = new CopyOnWriteArrayList<>();

    private ConsoleStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    static ConsoleStub start() throws IOException {
        return new ConsoleStub();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** Forgets routes, recorded requests and open streams. */
    void reset() {
        routes.clear();
        requests.clear();
        closeStreams();
    }

    void on(String method, String path, Supplier<Answer> answer) {
        routes.put(method + " " + path, answer);
    }

    void json(String method, String path, String body) {
        on(method, path, () -> Answer.json(body));
    }

    List<Request> requests(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }

    int openStreams() {
        return streams.size();
    }

    /** One Server-Sent Event with this data to every open stream. */
    void push(long id, String json) {
        byte[] event = ("id:" + id + "\ndata:" + json + "\n\n").getBytes(StandardCharsets.UTF_8);
        for (HttpExchange e : streams) {
            try {
                e.getResponseBody().write(event);
                e.getResponseBody().flush();
            } catch (IOException gone) {
                streams.remove(e);
            }
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Request(method, path, ex.getRequestHeaders().getFirst("Authorization"), body));
        String key = method + " " + path;
        Supplier<Answer> route = routes.get(key);
        if (route == null && key.equals(STREAM)) {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().write(": connected\n\n".getBytes(StandardCharsets.UTF_8));
            ex.getResponseBody().flush();
            streams.add(ex); // left open: push() writes to it
            return;
        }
        if (route != null) {
            send(ex, route.get());
        } else if (path.startsWith("/api/") || path.startsWith("/q/")) {
            send(ex, Answer.problem(404, "Not found", "the stub has no route for " + key));
        } else {
            serveFile(ex, path);
        }
    }

    private void serveFile(HttpExchange ex, String path) throws IOException {
        String name = path.equals("/") ? "/index.html" : path;
        if (name.contains("..")) {
            send(ex, new Answer(400, "text/plain", "bad path"));
            return;
        }
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/resources" + name)) {
            if (in == null) {
                send(ex, new Answer(404, "text/plain", "no file " + name));
                return;
            }
            byte[] bytes = in.readAllBytes();
            String ext = name.substring(name.lastIndexOf('.') + 1);
            ex.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(ext, "application/octet-stream"));
            // The agent's own Content-Security-Policy, so every page test also proves the console runs under it.
            ex.getResponseHeaders().set("Content-Security-Policy", SecurityHeaders.CSP);
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void send(HttpExchange ex, Answer a) throws IOException {
        byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", a.contentType());
        ex.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void closeStreams() {
        for (HttpExchange e : streams) {
            e.close();
        }
        streams.clear();
    }

    @Override
    public void close() {
        closeStreams();
        server.stop(0);
        threads.shutdownNow();
    }
}
