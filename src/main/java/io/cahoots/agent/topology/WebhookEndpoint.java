package io.cahoots.agent.topology;

import io.cahoots.agent.config.PushSettings;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Delivers views to one webhook URL, in order, always ending on the newest.
 *
 * <ol>
 *   <li>One POST in flight at most; views offered meanwhile replace each other in a one-view buffer, so a slow or
 *       absent receiver costs one view of memory and, once it answers, gets the newest view next -- versions only
 *       grow at the receiver.</li>
 *   <li>A 2xx answer is a delivery. Anything else (an error status, a refused connection, no answer within
 *       {@code AGENT_PUSH_WEBHOOK_TIMEOUT}) is retried after a wait that starts at 100ms and doubles up to
 *       {@code AGENT_PUSH_WEBHOOK_BACKOFF_MAX} (+-20% jitter) while the endpoint keeps failing; each retry sends the
 *       newest view buffered by then.</li>
 *   <li>Bounded: one view is tried at most {@value #MAX_ATTEMPTS_PER_VIEW} times and for at most
 *       {@code AGENT_PUSH_WEBHOOK_RETRY_FOR}; then it is dropped (logged, counted) and the next view starts afresh.</li>
 *   <li>Requests are sent with {@link HttpClient#sendAsync} and retries wait on a shared timer: no thread ever
 *       blocks on a receiver, so an unreachable endpoint never delays another one.</li>
 * </ol>
 */
final class WebhookEndpoint {

    private static final Logger LOG = Logger.getLogger(WebhookEndpoint.class);
    static final int MAX_ATTEMPTS_PER_VIEW = 100;
    public static final String VERSION_HEADER = "X-Agent-Topology-Version";

    private final URI uri;
    private final HttpClient http;
    /** One per agent process: ids of views numbered from 1 again after a restart must not look like repeats. */
    private static final String BOOT_ID = Long.toString(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE, 36);
    private final List<byte[]> keys;
    private final java.time.Clock clock = java.time.Clock.systemUTC();
    private final Duration timeout;
    private final Duration backoffMax;
    private final Duration retryFor;
    private final ScheduledExecutorService timer;
    private final PushMetrics metrics;
    private volatile java.util.function.BiConsumer<String, Long> ledger = (channel, version) -> { };

    private PublishedView buffered;
    private long newestVersion = Long.MIN_VALUE;
    private long deliveredVersion = Long.MIN_VALUE;
    private boolean busy;
    private int consecutiveFailures;
    private long triedVersion = Long.MIN_VALUE;
    private int attemptsForVersion;
    private long firstTryNanos;

    WebhookEndpoint(URI uri, HttpClient http, PushSettings push, ScheduledExecutorService timer, PushMetrics metrics) {
        this.uri = uri;
        this.http = http;
        this.keys = push.webhookKeys();
        this.timeout = push.webhookTimeout();
        this.backoffMax = push.webhookBackoffMax();
        this.retryFor = push.webhookRetryFor();
        this.timer = timer;
        this.metrics = metrics;
        metrics.webhookEndpoint(uri);
    }

    synchronized void offer(PublishedView v) {
        if (v.version() <= newestVersion) {
            return;
        }
        newestVersion = v.version();
        buffered = v;
        if (!busy) {
            busy = true;
            sendBuffered();
        }
    }

    void onDelivered(java.util.function.BiConsumer<String, Long> ledger) {
        this.ledger = ledger;
    }

    /** The name under which the fleet records what this endpoint received (no credentials of the URL in it). */
    String ledgerName() {
        return "webhook:" + PushSettings.redacted(uri);
    }

    synchronized long deliveredVersion() {
        return deliveredVersion;
    }

    /** Called with the lock held and {@code busy} set. */
    private void sendBuffered() {
        PublishedView v = buffered;
        buffered = null;
        if (v == null) {
            busy = false;
            return;
        }
        if (v.version() != triedVersion) {
            triedVersion = v.version();
            attemptsForVersion = 0;
            firstTryNanos = System.nanoTime();
        }
        attemptsForVersion++;
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "cahoots-agent")
                .header(VERSION_HEADER, Long.toString(v.version()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(v.json()));
        if (!keys.isEmpty()) {
            // Legacy header under the first (newest) secret; the standard one under every secret, so a receiver that
            // knows either the old or the new key accepts every delivery during a rotation. The id stays the same
            // across retries of one view (receivers drop repeats); the timestamp is the attempt's, so a retry after
            // minutes is still inside the receiver's tolerance.
            String id = "msg_" + BOOT_ID + "_" + v.version();
            long timestamp = clock.instant().getEpochSecond();
            request.header(Signatures.HEADER, Signatures.sign(keys.get(0), v.json()))
                    .header(Signatures.ID, id)
                    .header(Signatures.TIMESTAMP, Long.toString(timestamp))
                    .header(Signatures.SIGNATURE, Signatures.standard(keys, id, timestamp, v.json()));
        }
        try {
            http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> done(v, response, error));
        } catch (RuntimeException e) {
            done(v, null, e);
        }
    }

    private synchronized void done(PublishedView v, HttpResponse<Void> response, Throwable error) {
        if (error == null && response.statusCode() / 100 == 2) {
            deliveredVersion = Math.max(deliveredVersion, v.version());
            consecutiveFailures = 0;
            metrics.webhook(uri, "delivered");
            metrics.delivered("webhook", v);
            ledger.accept(ledgerName(), v.version());
            sendBuffered();
            return;
        }
        String why = error != null ? describe(error) : "HTTP " + response.statusCode();
        metrics.webhook(uri, "failed");
        if (buffered == null || buffered.version() < v.version()) {
            buffered = v; // retry this one unless a newer view arrived meanwhile
        }
        boolean sameView = buffered.version() == triedVersion;
        if (sameView && (attemptsForVersion >= MAX_ATTEMPTS_PER_VIEW
                || System.nanoTime() - firstTryNanos >= retryFor.toNanos())) {
            LOG.warnf("webhook %s: dropping version %d after %d attempts (%s); the next view starts afresh",
                    PushSettings.redacted(uri), v.version(), attemptsForVersion, why);
            metrics.webhook(uri, "dropped");
            buffered = null;
            busy = false;
            return;
        }
        consecutiveFailures++;
        long wait = backoffMillis(consecutiveFailures);
        if (consecutiveFailures == 1 || consecutiveFailures % 10 == 0) {
            LOG.infof("webhook %s: version %d not delivered (%s), retrying in %dms", PushSettings.redacted(uri),
                    v.version(), why, wait);
        }
        try {
            timer.schedule(this::retry, wait, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            busy = false; // shutting down
        }
    }

    private synchronized void retry() {
        sendBuffered();
    }

    long backoffMillis(int failures) {
        long base = PushSettings.WEBHOOK_BACKOFF_INITIAL.toMillis() << Math.min(failures - 1, 20);
        long capped = Math.min(base, backoffMax.toMillis());
        return (long) (capped * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    }

    private static String describe(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
