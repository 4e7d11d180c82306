package io.cahoots.agent.api;

import io.cahoots.agent.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Decides whether a request may mutate. The token is compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so the time taken says nothing about how much of a guess was right,
 * not even its length. The token itself never reaches a log or an answer.
 */
@Singleton
public class AdminAuth {

    public enum Outcome { ALLOWED, NO_TOKEN_CONFIGURED, MISSING, WRONG }

    private final Optional<byte[]> expectedDigest;

    @Inject
    public AdminAuth(Settings settings) {
        this(settings.adminToken());
    }

    AdminAuth(Optional<String> token) {
        this.expectedDigest = token.map(AdminAuth::digest);
    }

    public Outcome check(String authorizationHeader) {
        if (expectedDigest.isEmpty()) {
            return Outcome.NO_TOKEN_CONFIGURED;
        }
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Outcome.MISSING;
        }
        byte[] given = digest(authorizationHeader.substring(7).trim());
        return MessageDigest.isEqual(expectedDigest.get(), given) ? Outcome.ALLOWED : Outcome.WRONG;
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
