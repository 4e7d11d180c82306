package io.cahoots.agent.topology;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Webhook signatures, two schemes on every signed POST:
 * <ul>
 *   <li>Standard Webhooks (standardwebhooks.com): {@code webhook-id}, {@code webhook-timestamp} (Unix seconds) and
 *       {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">}, one signature per secret,
 *       space-separated. The id and timestamp are signed, so a receiver can reject a delivery it has seen and one
 *       older than its tolerance: a captured POST cannot be replayed ({@link WebhookVerifier}).</li>
 *   <li>{@code X-Agent-Signature: sha256=<hex HMAC of the body>} (GitHub's convention), kept for receivers written
 *       against 0.1.0. It signs the body only: replayable, so receivers should move to the standard headers.</li>
 * </ul>
 * A secret starting with {@code whsec_} is base64 after the prefix, as the Standard Webhooks libraries expect; any
 * other secret is used as its UTF-8 bytes.
 */
public final class Signatures {

    public static final String HEADER = "X-Agent-Signature";
    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";
    private static final String PREFIX = "sha256=";

    private Signatures() {
    }

    /** The HMAC key of a configured secret. */
    public static byte[] key(String secret) {
        return io.cahoots.agent.config.PushSettings.key(secret);
    }

    /** The legacy {@code X-Agent-Signature} value. */
    public static String sign(byte[] secret, byte[] body) {
        return PREFIX + HexFormat.of().formatHex(hmac(secret, body));
    }

    /** Constant-time comparison, so a forger learns nothing from how long a rejection takes. */
    public static boolean verify(byte[] secret, byte[] body, String header) {
        return header != null && MessageDigest.isEqual(sign(secret, body).getBytes(), header.trim().getBytes());
    }

    /** The {@code webhook-signature} value: {@code v1,<sig>} per key, space-separated (both during a rotation). */
    public static String standard(List<byte[]> keys, String id, long timestampSeconds, byte[] body) {
        List<String> out = new ArrayList<>();
        for (byte[] k : keys) {
            out.add("v1," + Base64.getEncoder().encodeToString(hmac(k, signedContent(id, timestampSeconds, body))));
        }
        return String.join(" ", out);
    }

    static byte[] signedContent(String id, long timestampSeconds, byte[] body) {
        byte[] prefix = (id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(body, 0, all, prefix.length, body.length);
        return all;
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
