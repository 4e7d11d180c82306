package io.cahoots.agent.api;

import io.cahoots.agent.config.SecuritySettings;
import io.cahoots.agent.config.Settings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a request may mutate, or read. Tokens are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so the time taken says nothing about how much of a guess was right, not even its
 * length; every accepted token is compared (no early exit), so timing does not say which one matched either.
 * A token never reaches a log or an answer: the audit names it by {@link #fingerprint(String)}.
 *
 * <p>Admin tokens: one, or two during a rotation ({@code AGENT_ADMIN_TOKEN=new,old}). The read token, when set,
 * guards reads; an admin token reads too (an admin never needs two tokens).
 */
@Singleton
public class AdminAuth {

    public enum Outcome { ALLOWED, NO_TOKEN_CONFIGURED, MISSING, WRONG }

    private final List<byte[]> adminDigests;
    private final Optional<byte[]> readDigest;

    @Inject
    public AdminAuth(Settings settings, SecuritySettings security) {
        this(settings.adminTokens(), security.readToken());
    }

    AdminAuth(Optional<String> token) {
        this(token.map(t -> List.of(t.split(","))).orElse(List.of()), Optional.empty());
    }

    AdminAuth(List<String> adminTokens, Optional<String> readToken) {
        this.adminDigests = adminTokens.stream().map(AdminAuth::digest).toList();
        this.readDigest = readToken.map(AdminAuth::digest);
    }

    /** May this request change something? */
    public Outcome check(String authorizationHeader) {
        if (adminDigests.isEmpty()) {
            return Outcome.NO_TOKEN_CONFIGURED;
        }
        Optional<byte[]> given = bearerDigest(authorizationHeader);
        if (given.isEmpty()) {
            return Outcome.MISSING;
        }
        return matchesAny(adminDigests, given.get()) ? Outcome.ALLOWED : Outcome.WRONG;
    }

    /** May this request read? Always, without a read token; with one, the read token or an admin token. */
    public Outcome checkRead(String authorizationHeader) {
        if (readDigest.isEmpty()) {
            return Outcome.ALLOWED;
        }
        Optional<byte[]> given = bearerDigest(authorizationHeader);
        if (given.isEmpty()) {
            return Outcome.MISSING;
        }
        boolean read = MessageDigest.isEqual(readDigest.get(), given.get());
        boolean admin = matchesAny(adminDigests, given.get());
        return read | admin ? Outcome.ALLOWED : Outcome.WRONG;
    }

    public boolean readTokenRequired() {
        return readDigest.isPresent();
    }

    /**
     * Names the bearer token of a header in the audit: the first 8 hex digits of its SHA-256, enough to tell the
     * old token from the new during a rotation, useless to guess it. "-" when the header has no bearer token.
     */
    public static String fingerprint(String authorizationHeader) {
        return bearerDigest(authorizationHeader).map(d -> HexFormat.of().formatHex(d, 0, 4)).orElse("-");
    }

    private static boolean matchesAny(List<byte[]> digests, byte[] given) {
        boolean any = false;
        for (byte[] d : digests) {
            any |= MessageDigest.isEqual(d, given);
        }
        return any;
    }

    private static Optional<byte[]> bearerDigest(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.of(digest(authorizationHeader.substring(7).trim()));
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
