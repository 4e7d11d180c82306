package io.cahoots.agent.redis;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the agent speaks TLS to Redis and Sentinel, for Jedis and Redisson alike, built from PEM files (what
 * redis.conf and Kubernetes Secrets hold; no keystore conversion step):
 * <ol>
 *   <li>trust: the CA certificates of {@code AGENT_REDIS_TLS_CA}, or the JVM's default trust store without it;</li>
 *   <li>identity (mutual TLS): the certificate chain of {@code AGENT_REDIS_TLS_CERT} and the PKCS#8 key of
 *       {@code AGENT_REDIS_TLS_KEY} (RSA or EC; {@code openssl pkcs8 -topk8 -nocrypt} converts older keys);</li>
 *   <li>hostname: with {@code AGENT_REDIS_TLS_VERIFY_HOSTNAME} (the default) the server certificate must name the
 *       address dialled, by DNS name or IP SAN (JSSE's HTTPS rule). Jedis alone would not check it.</li>
 * </ol>
 */
public final class RedisTls {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    private final boolean enabled;
    private final SSLContext context;
    private final TrustManagerFactory trust;
    private final KeyManagerFactory keys;
    private final boolean verifyHostname;

    private RedisTls(boolean enabled, SSLContext context, TrustManagerFactory trust, KeyManagerFactory keys, boolean verifyHostname) {
        this.enabled = enabled;
        this.context = context;
        this.trust = trust;
        this.keys = keys;
        this.verifyHostname = verifyHostname;
    }

    public static RedisTls off() {
        return new RedisTls(false, null, null, null, false);
    }

    /** TLS with the JVM's trust store and hostname verification: {@code AGENT_REDIS_TLS=true} alone. */
    public static RedisTls defaults() {
        return of(Optional.empty(), Optional.empty(), Optional.empty(), true);
    }

    public static RedisTls of(Optional<Path> ca, Optional<Path> cert, Optional<Path> key, boolean verifyHostname) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (ca.isPresent()) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (Certificate c : certificates(ca.get())) {
                    store.setCertificateEntry("ca-" + i++, c);
                }
                tmf.init(store);
            } else {
                tmf.init((KeyStore) null);
            }
            KeyManagerFactory kmf = null;
            if (cert.isPresent() && key.isPresent()) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                char[] none = new char[0];
                store.setKeyEntry("client", privateKey(key.get()), none, certificates(cert.get()).toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, none);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return new RedisTls(true, ctx, tmf, kmf, verifyHostname);
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot load the TLS files: " + e.getMessage(), e);
        }
    }

    public boolean enabled() {
        return enabled;
    }

    public SSLSocketFactory socketFactory() {
        return context.getSocketFactory();
    }

    /** HTTPS endpoint identification when hostnames are verified; none otherwise. */
    public SSLParameters parameters() {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setEndpointIdentificationAlgorithm(verifyHostname ? "HTTPS" : null);
        return p;
    }

    public TrustManagerFactory trustManagerFactory() {
        return trust;
    }

    public Optional<KeyManagerFactory> keyManagerFactory() {
        return Optional.ofNullable(keys);
    }

    public boolean verifyHostname() {
        return verifyHostname;
    }

    private static Collection<? extends Certificate> certificates(Path pem) throws Exception {
        Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)));
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(pem + " holds no certificate");
        }
        return certs;
    }

    private static PrivateKey privateKey(Path pem) throws Exception {
        Matcher m = PEM.matcher(Files.readString(pem));
        while (m.find()) {
            if (m.group(1).equals("PRIVATE KEY")) {
                PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(2)));
                for (String algorithm : new String[]{"RSA", "EC", "Ed25519"}) {
                    try {
                        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
                    } catch (java.security.spec.InvalidKeySpecException wrongAlgorithm) {
                        // try the next
                    }
                }
            }
        }
        throw new IllegalArgumentException(pem + " holds no unencrypted PKCS#8 PRIVATE KEY (convert with openssl pkcs8 -topk8 -nocrypt)");
    }
}
