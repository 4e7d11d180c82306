package io.cahoots.agent.redis.lab;

import io.cahoots.agent.redis.RedisTls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A throwaway certificate authority for a TLS lab, made with {@code openssl} at lab start in {@code <lab>/tls}:
 * <ol>
 *   <li>a CA (EC P-256, valid 2 days);</li>
 *   <li>one server certificate for every node and Sentinel, naming {@code IP:127.0.0.1} (where the lab binds) and
 *       usable as a client certificate too ({@code serverAuth, clientAuth}): Redis presents it when it connects out
 *       for replication, the cluster bus and {@code MIGRATE};</li>
 *   <li>a client certificate for the agent and the tests ({@code CN=cahoots-agent}), because the lab requires
 *       client certificates ({@code tls-auth-clients yes}): mutual TLS is always exercised.</li>
 * </ol>
 * Keys are unencrypted PKCS#8, what both Redis and {@link RedisTls} read.
 */
public record LabTls(Path dir, Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

    public static LabTls generate(Path dir) {
        try {
            Files.createDirectories(dir);
            LabTls t = new LabTls(dir, dir.resolve("ca.crt"), dir.resolve("server.crt"), dir.resolve("server.key"),
                    dir.resolve("client.crt"), dir.resolve("client.key"));
            openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                    "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=cahoots lab CA",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            Files.writeString(dir.resolve("server.ext"), "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\n"
                    + "extendedKeyUsage=serverAuth,clientAuth\n");
            Files.writeString(dir.resolve("client.ext"), "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
            for (String who : List.of("server", "client")) {
                openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", who + ".key", "-out", who + ".csr", "-subj", "/CN=cahoots lab " + who);
                openssl(dir, "x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                        "-days", "2", "-out", who + ".crt", "-extfile", who + ".ext");
            }
            return t;
        } catch (IOException e) {
            throw new LabException("cannot write the lab's TLS files in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The agent's view of this lab: its CA, the client certificate, hostnames verified. */
    public RedisTls clientTls() {
        return RedisTls.of(Optional.of(ca), Optional.of(clientCert), Optional.of(clientKey), true);
    }

    /** redis.conf / sentinel.conf lines: TLS only (no plain port), clients must present a certificate. */
    String configLines() {
        return "tls-cert-file " + serverCert + "\n"
                + "tls-key-file " + serverKey + "\n"
                + "tls-ca-cert-file " + ca + "\n"
                + "tls-auth-clients yes\n"
                + "tls-replication yes\n";
    }

    private static void openssl(Path dir, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new LabException("openssl " + args[0] + " failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new LabException("a TLS lab needs openssl on the PATH (apt-get install openssl): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while making the lab's certificates", e);
        }
    }
}
