package io.cahoots.agent.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The validated topology push settings. {@link #from(PushConfig)} throws {@link InvalidSettingException} for the
 * first bad value, so a malformed webhook URL stops the agent at start-up instead of failing at the first failover.
 *
 * @param webhookSecret HMAC key as bytes (UTF-8 of the setting); {@link #toString()} never shows it
 */
public record PushSettings(
        List<URI> webhooks,
        Optional<byte[]> webhookSecret,
        String channel,
        Duration coalesce,
        Duration heartbeat,
        Duration webhookTimeout,
        Duration webhookBackoffMax,
        Duration webhookRetryFor) implements SettingsGroup {

    /** First wait after a failed webhook POST; it doubles up to {@link #webhookBackoffMax}. */
    public static final Duration WEBHOOK_BACKOFF_INITIAL = Duration.ofMillis(100);

    public PushSettings {
        webhooks = List.copyOf(webhooks);
    }

    /**
     * The HMAC keys of {@code AGENT_PUSH_WEBHOOK_SECRET}: one, or two during a rotation (newest first). A secret that
     * starts with {@code whsec_} is base64 after the prefix (the Standard Webhooks format); any other is its UTF-8.
     */
    public java.util.List<byte[]> webhookKeys() {
        if (webhookSecret.isEmpty()) {
            return java.util.List.of();
        }
        return java.util.Arrays.stream(new String(webhookSecret.get(), StandardCharsets.UTF_8).split(","))
                .map(PushSettings::key).toList();
    }

    public static byte[] key(String secret) {
        return secret.startsWith("whsec_") ? java.util.Base64.getDecoder().decode(secret.substring(6))
                : secret.getBytes(StandardCharsets.UTF_8);
    }

    public static PushSettings from(PushConfig c) {
        List<URI> hooks = c.webhooks().map(PushSettings::webhooks).orElse(List.of());
        Optional<String> secret = c.webhookSecret();
        if (secret.isPresent() && secret.get().isBlank()) {
            throw new InvalidSettingException("AGENT_PUSH_WEBHOOK_SECRET", "is blank: unset it to send unsigned webhooks");
        }
        if (secret.isPresent()) {
            String[] parts = secret.get().split(",", -1);
            if (parts.length > 2 || java.util.Arrays.stream(parts).anyMatch(String::isBlank)) {
                throw new InvalidSettingException("AGENT_PUSH_WEBHOOK_SECRET", "<hidden, " + secret.get().length() + " characters>",
                        "one secret, or two separated by a comma while the key is rotated (the agent then signs with both)");
            }
            for (String p : parts) {
                try {
                    key(p);
                } catch (IllegalArgumentException e) {
                    throw new InvalidSettingException("AGENT_PUSH_WEBHOOK_SECRET", "<hidden>",
                            "after whsec_, the base64 of the key (as the Standard Webhooks libraries give it)");
                }
            }
        }
        if (secret.isPresent() && hooks.isEmpty()) {
            throw new InvalidSettingException("AGENT_PUSH_WEBHOOK_SECRET",
                    "is set but AGENT_PUSH_WEBHOOKS is not: name the URLs that should receive signed views");
        }
        String channel = c.channel().trim();
        if (channel.isEmpty() || channel.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidSettingException("AGENT_PUSH_CHANNEL", quote(c.channel()),
                    "a Redis channel name without spaces such as cahoots:topology");
        }
        SettingErrors.checked(PushConfig.class, c);
        return new PushSettings(hooks, secret.map(s -> s.getBytes(StandardCharsets.UTF_8)), channel, c.coalesce(),
                c.heartbeat(), c.webhookTimeout(), c.webhookBackoffMax(), c.webhookRetryFor());
    }

    static List<URI> webhooks(String value) {
        List<URI> out = new ArrayList<>();
        for (String part : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
            URI uri = webhook(part);
            if (out.contains(uri)) {
                throw invalidUrl(part, "listed twice");
            }
            out.add(uri);
        }
        return out;
    }

    private static URI webhook(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw invalidUrl(text, e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalidUrl(text, scheme.isEmpty() ? "no scheme" : "unsupported scheme '" + scheme + "'");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw invalidUrl(text, "no host");
        }
        if (uri.getFragment() != null) {
            throw invalidUrl(text, "a #fragment is never sent to the server");
        }
        return uri;
    }

    private static InvalidSettingException invalidUrl(String url, String why) {
        return new InvalidSettingException("AGENT_PUSH_WEBHOOKS", quote(withoutUserInfo(url)),
                "comma-separated absolute http:// or https:// URLs such as https://app.internal:8443/hooks/topology ("
                        + why + ")");
    }

    /** A password in {@code https://user:pw@host/} must not reach the log with the error. */
    private static String withoutUserInfo(String url) {
        int scheme = url.indexOf("://");
        int at = url.indexOf('@');
        int slash = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
        if (scheme >= 0 && at > scheme && (slash < 0 || at < slash)) {
            return url.substring(0, scheme + 3) + "<hidden>@" + url.substring(at + 1);
        }
        return url;
    }

    private static String quote(String value) {
        return "'" + value + "'";
    }

    @Override
    public String toString() {
        return "PushSettings[webhooks=" + webhooks.stream().map(PushSettings::redacted).toList()
                + ", secret=" + (webhookSecret.isPresent() ? "***" : "-") + ", channel=" + channel
                + ", coalesce=" + coalesce + ", heartbeat=" + heartbeat + ", webhookTimeout=" + webhookTimeout
                + ", webhookBackoffMax=" + webhookBackoffMax + ", webhookRetryFor=" + webhookRetryFor + "]";
    }

    /** Scheme, host, port and path: enough to tell endpoints apart in logs and metrics, no credentials or query. */
    public static String redacted(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
