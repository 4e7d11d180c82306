package io.cahoots.agent.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The validated API read token and Redis TLS material. Files are checked at start-up (exist, readable, PEM), so a
 * typo in a path stops the agent with one line instead of surfacing later as a handshake failure.
 *
 * @param readToken      when present, reads need it (or an admin token); {@link #toString()} never shows it
 * @param tlsCa          PEM file of trusted CAs; empty: the JVM's default trust store
 * @param tlsCert        client certificate for mutual TLS
 * @param tlsKey         its private key
 * @param verifyHostname check that the server certificate names the address the agent dialled
 */
public record SecuritySettings(
        Optional<String> readToken,
        Optional<Path> tlsCa,
        Optional<Path> tlsCert,
        Optional<Path> tlsKey,
        boolean verifyHostname) implements SettingsGroup {

    public static SecuritySettings from(SecurityConfig c) {
        Optional<String> read = c.readToken().filter(s -> !s.isEmpty());
        if (read.isPresent() && (read.get().length() < Settings.MIN_TOKEN_LENGTH
                || read.get().chars().anyMatch(ch -> Character.isWhitespace(ch) || ch == ','))) {
            throw new InvalidSettingException("AGENT_READ_TOKEN", "<hidden, " + read.get().length() + " characters>",
                    "at least " + Settings.MIN_TOKEN_LENGTH + " characters without spaces or commas (e.g. `openssl rand -hex 16`)");
        }
        Optional<Path> ca = pem("AGENT_REDIS_TLS_CA", c.redisTlsCa(), "CERTIFICATE");
        Optional<Path> cert = pem("AGENT_REDIS_TLS_CERT", c.redisTlsCert(), "CERTIFICATE");
        Optional<Path> key = pem("AGENT_REDIS_TLS_KEY", c.redisTlsKey(), "PRIVATE KEY");
        if (cert.isPresent() != key.isPresent()) {
            throw new InvalidSettingException(cert.isPresent() ? "AGENT_REDIS_TLS_CERT" : "AGENT_REDIS_TLS_KEY",
                    "is set without " + (cert.isPresent() ? "AGENT_REDIS_TLS_KEY" : "AGENT_REDIS_TLS_CERT")
                            + ": mutual TLS needs the certificate and its key");
        }
        return new SecuritySettings(read, ca, cert, key, c.redisTlsVerifyHostname());
    }

    public static SecuritySettings none() {
        return new SecuritySettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), true);
    }

    private static Optional<Path> pem(String variable, Optional<String> value, String block) {
        if (value.isEmpty() || value.get().isBlank()) {
            return Optional.empty();
        }
        Path p = Path.of(value.get().trim());
        String text;
        try {
            text = Files.readString(p);
        } catch (Exception e) {
            throw new InvalidSettingException(variable, "'" + value.get() + "'", "a readable PEM file (" + e.getClass().getSimpleName()
                    .replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT) + ")");
        }
        if (!text.contains("-----BEGIN ") || !text.contains(block + "-----")) {
            throw new InvalidSettingException(variable, "'" + value.get() + "'", "a PEM file with a " + block + " block");
        }
        return Optional.of(p);
    }

    @Override
    public String toString() {
        return "SecuritySettings[readToken=" + (readToken.isPresent() ? "set" : "unset") + ", tlsCa=" + tlsCa.orElse(null)
                + ", tlsCert=" + tlsCert.orElse(null) + ", tlsKey=" + (tlsKey.isPresent() ? "set" : "unset")
                + ", verifyHostname=" + verifyHostname + "]";
    }
}
