package io.cahoots.agent.topology;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The {@code X-Agent-Signature} header: {@code sha256=} and the lower-case hex HMAC-SHA256 of the exact body bytes
 * (GitHub's webhook convention, so existing receiver code works). {@link #verify} is what a receiver does.
 */
public final class Signatures {

    public static final String HEADER = "X-Agent-Signature";
    private static final String PREFIX = "sha256=";

    private Signatures() {
    }

    public static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Constant-time comparison, so a forger learns nothing from how long a rejection takes. */
    public static boolean verify(byte[] secret, byte[] body, String header) {
        return header != null && MessageDigest.isEqual(sign(secret, body).getBytes(), header.trim().getBytes());
    }
}
