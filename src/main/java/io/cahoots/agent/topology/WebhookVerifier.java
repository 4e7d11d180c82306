package io.cahoots.agent.topology;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The receiver's check of a Standard Webhooks delivery, as documented in docs/sentinel-and-push.md; receivers in
 * Java may copy it, others follow the same steps:
 * <ol>
 *   <li>the three headers are present and the timestamp is a number;</li>
 *   <li>the timestamp is within {@code tolerance} of the receiver's clock (either side): an old capture is refused
 *       even with a valid signature;</li>
 *   <li>one of the space-separated {@code v1,} signatures equals the HMAC of {@code id.timestamp.body} under one of
 *       the receiver's secrets (compared in constant time). Holding the old and the new secret during a rotation,
 *       or the agent signing with both, means no delivery is refused while the key changes;</li>
 *   <li>the id was not accepted before. Ids are remembered for the tolerance window only: anything older is refused
 *       by step 2 anyway, so the memory stays bounded.</li>
 * </ol>
 * The agent keeps one id per view across retries, so a retried delivery of a view the receiver already accepted
 * (its answer was lost) is refused as a repeat: receivers should answer 2xx to a repeat, not an error.
 */
public final class WebhookVerifier {

    public enum Result { ACCEPTED, MISSING_HEADERS, TOO_OLD, BAD_SIGNATURE, REPEATED }

    private final List<byte[]> keys;
    private final Duration tolerance;
    private final Clock clock;
    private final Map<String, Long> seen = new LinkedHashMap<>();

    public WebhookVerifier(List<byte[]> keys, Duration tolerance, Clock clock) {
        this.keys = List.copyOf(keys);
        this.tolerance = tolerance;
        this.clock = clock;
    }

    public synchronized Result verify(String id, String timestamp, String signatures, byte[] body) {
        if (id == null || timestamp == null || signatures == null || !timestamp.matches("\\d{1,12}")) {
            return Result.MISSING_HEADERS;
        }
        long ts = Long.parseLong(timestamp);
        long now = clock.instant().getEpochSecond();
        if (Math.abs(now - ts) > tolerance.toSeconds()) {
            return Result.TOO_OLD;
        }
        if (!signedByAnyKey(id, ts, signatures, body)) {
            return Result.BAD_SIGNATURE;
        }
        forgetOlderThan(now - tolerance.toSeconds());
        if (seen.putIfAbsent(id, ts) != null) {
            return Result.REPEATED;
        }
        return Result.ACCEPTED;
    }

    private boolean signedByAnyKey(String id, long ts, String signatures, byte[] body) {
        byte[] content = Signatures.signedContent(id, ts, body);
        boolean ok = false;
        for (byte[] key : keys) {
            byte[] expected = ("v1," + Base64.getEncoder().encodeToString(Signatures.hmac(key, content))).getBytes(StandardCharsets.US_ASCII);
            for (String given : signatures.trim().split(" +")) {
                ok |= MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.US_ASCII));
            }
        }
        return ok;
    }

    private void forgetOlderThan(long cutoff) {
        for (Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getValue() < cutoff) {
                it.remove();
            }
        }
    }
}
