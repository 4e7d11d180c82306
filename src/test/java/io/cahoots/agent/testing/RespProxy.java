package io.cahoots.agent.testing;

import io.cahoots.agent.cluster.HostPort;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of one Redis/Sentinel that can slip a forged pub/sub message into the replies of every
 * connection that subscribed: what a replayed or forged {@code +switch-master} looks like to a subscriber. (Sentinel
 * itself refuses PUBLISH on any channel but its hello channel, so this is the way to deliver one by hand.)
 *
 * <ol>
 *   <li>Each accepted connection gets its own upstream connection and two pump threads.</li>
 *   <li>Client to server: bytes pass as they come; a connection is marked subscribed once it sent PSUBSCRIBE/SUBSCRIBE.</li>
 *   <li>Server to client: whole RESP frames are forwarded under a per-connection lock, so {@link #inject} always
 *       lands between two frames, never inside one.</li>
 * </ol>
 */
public final class RespProxy implements AutoCloseable {

    private final HostPort upstream;
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public RespProxy(HostPort upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::accept, "resp-proxy-" + upstream);
        t.setDaemon(true);
        t.start();
    }

    public HostPort address() {
        return new HostPort("127.0.0.1", server.getLocalPort());
    }

    /** The RESP2 frame of a pattern message, as Redis pushes it to a PSUBSCRIBE. */
    public static byte[] pmessage(String pattern, String channel, String message) {
        StringBuilder sb = new StringBuilder("*4\r\n");
        for (String s : List.of("pmessage", pattern, channel, message)) {
            sb.append('$').append(s.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(s).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code frame} to every subscribed client connection; returns how many got it. */
    public int inject(byte[] frame) throws IOException {
        int n = 0;
        for (Link l : links) {
            if (l.subscribed) {
                l.write(frame);
                n++;
            }
        }
        return n;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket up = new Socket(upstream.host(), upstream.port());
                Link l = new Link(client, up);
                links.add(l);
                l.start();
            } catch (IOException e) {
                if (!closed) {
                    SseClient.sleep(10);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        links.forEach(Link::close);
    }

    private final class Link {
        private final Socket client;
        private final Socket up;
        private final OutputStream toClient;
        volatile boolean subscribed;

        Link(Socket client, Socket up) throws IOException {
            this.client = client;
            this.up = up;
            this.toClient = client.getOutputStream();
        }

        void start() {
            daemon(this::clientToServer, "c2s");
            daemon(this::serverToClient, "s2c");
        }

        private void daemon(Runnable r, String name) {
            Thread t = new Thread(r, "resp-proxy-" + name);
            t.setDaemon(true);
            t.start();
        }

        private void clientToServer() {
            byte[] buf = new byte[8192];
            try (InputStream in = client.getInputStream(); OutputStream out = up.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    String text = new String(buf, 0, n, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
                    if (text.contains("SUBSCRIBE")) {
                        subscribed = true;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // either side closed
            } finally {
                close();
            }
        }

        private void serverToClient() {
            try (InputStream in = new java.io.BufferedInputStream(up.getInputStream())) {
                while (true) {
                    ByteArrayOutputStream frame = new ByteArrayOutputStream();
                    if (!readFrame(in, frame)) {
                        break;
                    }
                    write(frame.toByteArray());
                }
            } catch (IOException ignored) {
                // either side closed
            } finally {
                close();
            }
        }

        synchronized void write(byte[] bytes) throws IOException {
            toClient.write(bytes);
            toClient.flush();
        }

        void close() {
            links.remove(this);
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                up.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Copies one RESP2/RESP3 frame from {@code in} to {@code out}; false at end of stream. */
    static boolean readFrame(InputStream in, ByteArrayOutputStream out) throws IOException {
        int type = in.read();
        if (type < 0) {
            return false;
        }
        out.write(type);
        String line = readLine(in, out);
        switch (type) {
            case '$', '=', '!' -> {
                int len = Integer.parseInt(line);
                if (len >= 0) {
                    out.write(in.readNBytes(len + 2));
                }
            }
            case '*', '>', '~' -> {
                int count = Integer.parseInt(line);
                for (int i = 0; i < count; i++) {
                    if (!readFrame(in, out)) {
                        return false;
                    }
                }
            }
            case '%', '|' -> {
                int count = Integer.parseInt(line) * 2;
                for (int i = 0; i < count; i++) {
                    if (!readFrame(in, out)) {
                        return false;
                    }
                }
            }
            default -> {
                // simple types: the line was the whole frame
            }
        }
        return true;
    }

    private static String readLine(InputStream in, ByteArrayOutputStream out) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            out.write(c);
            if (c == '\r') {
                int lf = in.read();
                out.write(lf);
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
